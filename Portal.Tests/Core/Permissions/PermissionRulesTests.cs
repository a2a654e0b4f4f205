using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Permissions;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Permissions;

/// <summary>
/// The room's table, every role (and a removed member) × every action × own/other object, against an
/// expectation written out here independently of the table, and the key attenuation on top of it.
/// </summary>
public sealed class PermissionRulesTests
{
    private static readonly Guid Me = Guid.NewGuid();
    private static readonly Guid Someone = Guid.NewGuid();
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    // A = allowed, H = hidden (as "not found"), D = denied; per role Owner, Admin, Developer, Viewer, removed.
    private static readonly Dictionary<(PortalAction, bool Other), string> Expected = new()
    {
        [(PortalAction.ViewOrganization, false)] = "AAAAH",
        [(PortalAction.ViewApis, false)] = "AAAAH",
        [(PortalAction.ManageApis, false)] = "AADDH",
        [(PortalAction.ManageResources, false)] = "AADDH",
        [(PortalAction.ManagePermissionSets, false)] = "AADDH",
        [(PortalAction.ViewPolicies, false)] = "AAAAH",
        [(PortalAction.ManagePolicies, false)] = "AADDH",
        [(PortalAction.CreateKey, false)] = "AAADH",
        [(PortalAction.ViewKey, false)] = "AAAAH",
        [(PortalAction.ViewKey, true)] = "AAHAH",
        [(PortalAction.ChangeKey, false)] = "AAADH",
        [(PortalAction.ChangeKey, true)] = "AAHDH",
        [(PortalAction.ViewAuthenticationLog, false)] = "AAAAH",
        [(PortalAction.ViewAuditTrail, false)] = "AADDH",
        [(PortalAction.ManageMembers, false)] = "AADDH",
        [(PortalAction.ManageWebhook, false)] = "AADDH",
        [(PortalAction.ViewBlocks, false)] = "AAAAH",
        [(PortalAction.ManageBlocks, false)] = "AADDH",
        [(PortalAction.SetKeyLimits, false)] = "AADDH",
        [(PortalAction.LiftSuspension, false)] = "AADDH",
        [(PortalAction.AdministerPlatform, false)] = "DDDDH",
    };

    private static readonly OrganizationRole?[] Roles = [OrganizationRole.Owner, OrganizationRole.Admin, OrganizationRole.Developer, OrganizationRole.Viewer, null];

    public static TheoryData<PortalAction, bool, int> Cases()
    {
        var data = new TheoryData<PortalAction, bool, int>();
        foreach (var action in Enum.GetValues<PortalAction>())
        {
            foreach (var other in new[] { false, true })
            {
                for (var role = 0; role < Roles.Length; role++)
                {
                    data.Add(action, other, role);
                }
            }
        }

        return data;
    }

    [Fact]
    public void Expectations_CoverEveryAction()
    {
        Assert.All(Enum.GetValues<PortalAction>(), action => Assert.True(Expected.ContainsKey((action, false)), $"No expectation for {action}."));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Member_GetsTheTablesAnswer(PortalAction action, bool other, int roleIndex)
    {
        // Actions about no particular object answer the same for "other".
        var expected = Expected.TryGetValue((action, other), out var row) ? row : Expected[(action, false)];
        var caller = new Caller(Me, "me", Channels.Portal);

        var permission = PermissionRules.Decide(caller, new CallerStanding(Roles[roleIndex], false), action, other ? Someone : Me, Now);

        Assert.Equal(Outcome(expected[roleIndex]), permission.Outcome);
        if (permission.Outcome != PermissionOutcome.Allowed)
        {
            Assert.False(string.IsNullOrWhiteSpace(permission.Reason));
        }
    }

    [Theory]
    [InlineData(PortalAction.ViewOrganization, true)]
    [InlineData(PortalAction.ViewApis, true)]
    [InlineData(PortalAction.ManageApis, true)]
    [InlineData(PortalAction.ManageResources, true)]
    [InlineData(PortalAction.ManagePermissionSets, false)]
    [InlineData(PortalAction.ViewKey, false)]
    [InlineData(PortalAction.ChangeKey, false)]
    [InlineData(PortalAction.ViewAuditTrail, false)]
    public void PlatformAdministrator_NotMember_MayDescribeApisOnly(PortalAction action, bool allowed)
    {
        var caller = new Caller(Me, "admin", Channels.Portal);

        var permission = PermissionRules.Decide(caller, new CallerStanding(null, true), action, Someone, Now);

        Assert.Equal(allowed, permission.IsAllowed);
    }

    [Theory]
    // scopes the key holds, owner's role, action, about another member's key, expected
    [InlineData("keys:manage", OrganizationRole.Admin, PortalAction.ChangeKey, false, PermissionOutcome.Allowed)]
    [InlineData("keys:manage", OrganizationRole.Admin, PortalAction.ChangeKey, true, PermissionOutcome.Hidden)]
    [InlineData("keys:manage", OrganizationRole.Admin, PortalAction.ViewKey, true, PermissionOutcome.Hidden)]
    [InlineData("keys:admin", OrganizationRole.Admin, PortalAction.ChangeKey, true, PermissionOutcome.Allowed)]
    [InlineData("keys:admin", OrganizationRole.Developer, PortalAction.ChangeKey, true, PermissionOutcome.Hidden)]
    [InlineData("keys:admin", OrganizationRole.Viewer, PortalAction.ChangeKey, false, PermissionOutcome.Denied)]
    [InlineData("keys:verify", OrganizationRole.Owner, PortalAction.CreateKey, false, PermissionOutcome.Denied)]
    [InlineData("keys:manage", OrganizationRole.Owner, PortalAction.ManageApis, false, PermissionOutcome.Denied)]
    [InlineData("apis:read", OrganizationRole.Owner, PortalAction.ViewApis, false, PermissionOutcome.Allowed)]
    [InlineData("apis:read", OrganizationRole.Owner, PortalAction.ManageApis, false, PermissionOutcome.Denied)]
    [InlineData("apis:manage", OrganizationRole.Developer, PortalAction.ManageApis, false, PermissionOutcome.Denied)]
    [InlineData("*:*", OrganizationRole.Owner, PortalAction.ManageMembers, false, PermissionOutcome.Denied)]
    [InlineData("*:*", OrganizationRole.Owner, PortalAction.ManagePermissionSets, false, PermissionOutcome.Denied)]
    [InlineData("policies:manage", OrganizationRole.Viewer, PortalAction.ViewPolicies, false, PermissionOutcome.Allowed)]
    [InlineData("policies:manage", OrganizationRole.Developer, PortalAction.ManagePolicies, false, PermissionOutcome.Denied)]
    public void Key_ActsWithinItsGrantsAndItsOwnersRole(string scopes, OrganizationRole ownerRole, PortalAction action, bool other, PermissionOutcome expected)
    {
        var key = Snapshot(new CompiledAccess([.. scopes.Split(' ').Select(s => new CompiledGrant(new Grant(s), GrantOrigin.Direct))], null));
        var caller = new Caller(Me, "key", Channels.Api, OrganizationId: key.OrganizationId, Key: key);

        var permission = PermissionRules.Decide(caller, new CallerStanding(ownerRole, false), action, other ? Someone : Me, Now);

        Assert.Equal(expected, permission.Outcome);
    }

    [Fact]
    public void Key_GrantOutsideItsWindow_DeniedWithTheValidatorsCode()
    {
        // Sunday 03:00 in UTC; the grant is open on weekdays 09:00–17:00.
        var sunday = new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);
        var schedule = new AccessSchedule(TimeZone: "UTC", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")]);
        var key = Snapshot(new CompiledAccess([new CompiledGrant(new Grant(Scope.KeysManage, Schedule: schedule), GrantOrigin.Direct)], null));
        var caller = new Caller(Me, "key", Channels.Api, OrganizationId: key.OrganizationId, Key: key);

        var permission = PermissionRules.Decide(caller, new CallerStanding(OrganizationRole.Owner, false), PortalAction.CreateKey, Me, sunday);
        var monday = PermissionRules.Decide(caller, new CallerStanding(OrganizationRole.Owner, false), PortalAction.CreateKey, Me, sunday.AddDays(1).AddHours(7));

        Assert.Equal(PermissionOutcome.Denied, permission.Outcome);
        Assert.Equal(ReasonCodes.OutsideTimeWindow, permission.Code);
        Assert.True(monday.IsAllowed);
    }

    [Theory]
    [InlineData(OrganizationRole.Owner, "orders:admin", true)]
    [InlineData(OrganizationRole.Admin, "*:*", true)]
    [InlineData(OrganizationRole.Developer, "orders:write", true)]
    [InlineData(OrganizationRole.Developer, "orders:admin", false)]
    [InlineData(OrganizationRole.Developer, "orders:*", false)]
    [InlineData(OrganizationRole.Developer, "keys:admin", false)]
    [InlineData(OrganizationRole.Viewer, "orders:read", false)]
    public void RoleRules_WhatARoleMayGive(OrganizationRole role, string scope, bool allowed)
    {
        Assert.Equal(allowed, RoleRules.MayGive(role, scope));
    }

    private static PermissionOutcome Outcome(char c) => c switch
    {
        'A' => PermissionOutcome.Allowed,
        'H' => PermissionOutcome.Hidden,
        _ => PermissionOutcome.Denied,
    };

    private static KeySnapshot Snapshot(CompiledAccess access) => new()
    {
        KeyId = Guid.NewGuid(),
        OrganizationId = Guid.NewGuid(),
        OwnerId = Me,
        Name = "acting",
        Environment = KeyEnvironment.Live,
        Status = KeyStatus.Active,
        ExpiresAt = null,
        TokenRetiresAt = null,
        Access = access,
    };
}
