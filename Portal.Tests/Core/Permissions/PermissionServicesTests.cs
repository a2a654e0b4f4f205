using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Permissions;
using Portal.Core.Protections;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Permissions;

/// <summary>
/// Every service gives the room's answer: each role (and a member who was removed) asks each service
/// for each action, on their own key and on another member's, and what the service does (returns,
/// answers "not found", refuses) equals <see cref="PermissionRules.Decide"/> for that caller.
/// </summary>
public abstract class PermissionServicesTests(PortalApp app)
{
    public static TheoryData<string, OrganizationRole?> Cases()
    {
        var data = new TheoryData<string, OrganizationRole?>();
        foreach (var action in Actions.Keys)
        {
            foreach (var role in new OrganizationRole?[] { OrganizationRole.Owner, OrganizationRole.Admin, OrganizationRole.Developer, OrganizationRole.Viewer, null })
            {
                data.Add(action, role);
            }
        }

        return data;
    }

    private sealed record Setup(Guid OrganizationId, Caller Caller, Guid OwnKeyId, Guid OthersKeyId);

    // What each service did, as the room's outcome: a value (allowed), null or empty or NotFound (hidden), AccessDenied (denied).
    private static readonly Dictionary<string, (PortalAction Action, bool Other, Func<IServiceProvider, Setup, Task<bool>> Run)> Actions = new()
    {
        ["view own key"] = (PortalAction.ViewKey, false, async (s, x) => await s.GetRequiredService<KeyCatalog>().FindAsync(x.Caller, x.OwnKeyId) is not null),
        ["view another's key"] = (PortalAction.ViewKey, true, async (s, x) => await s.GetRequiredService<KeyCatalog>().FindAsync(x.Caller, x.OthersKeyId) is not null),
        ["revoke another's key"] = (PortalAction.ChangeKey, true, async (s, x) => await s.GetRequiredService<KeyCatalog>().RevokeAsync(x.Caller, x.OthersKeyId) is not null),
        ["rename own key"] = (PortalAction.ChangeKey, false, async (s, x) => await s.GetRequiredService<KeyCatalog>().UpdateAsync(x.Caller, x.OwnKeyId, new UpdateKeyCommand(Description: "changed")) is not null),
        ["create a key"] = (PortalAction.CreateKey, false, async (s, x) =>
        {
            try
            {
                await s.GetRequiredService<KeyCatalog>().CreateAsync(x.Caller, new CreateKeyCommand($"k {Guid.NewGuid():N}", OrganizationId: x.OrganizationId));
                return true;
            }
            catch (InvalidRequestException e) when (e.Errors.ContainsKey("organizationId"))
            {
                return false;
            }
        }),
        ["register an API"] = (PortalAction.ManageApis, false, async (s, x) =>
            await s.GetRequiredService<ApiCatalog>().CreateAsync(x.Caller, x.OrganizationId, new ApiDraft($"api {Guid.NewGuid():N}")) is not null),
        ["list APIs"] = (PortalAction.ViewApis, false, async (s, x) => await s.GetRequiredService<ApiCatalog>().ListAsync(x.Caller, x.OrganizationId) is not null),
        ["add a resource"] = (PortalAction.ManageResources, false, async (s, x) =>
            await s.GetRequiredService<AccessCatalog>().AddResourceAsync(x.Caller, x.OrganizationId, $"r{Guid.NewGuid():N}"[..20], null, null) is not null),
        ["build a permission set"] = (PortalAction.ManagePermissionSets, false, async (s, x) =>
            await s.GetRequiredService<PermissionSetCatalog>().CreateAsync(x.Caller, x.OrganizationId, $"set {Guid.NewGuid():N}", null, [new Grant("orders:read")]) is not null),
        ["read policies"] = (PortalAction.ViewPolicies, false, async (s, x) => await s.GetRequiredService<OrganizationPolicies>().GetAsync(x.Caller, x.OrganizationId) is not null),
        ["change policies"] = (PortalAction.ManagePolicies, false, async (s, x) =>
            await s.GetRequiredService<OrganizationPolicies>().UpdateAsync(x.Caller, x.OrganizationId, new PolicySettings()) is not null),
        ["read the audit trail"] = (PortalAction.ViewAuditTrail, false, async (s, x) =>
            (await s.GetRequiredService<AuditQuery>().SearchAsync(x.Caller, new AuditFilter(x.OrganizationId))).Items.Count > 0),
        ["read the block list"] = (PortalAction.ViewBlocks, false, async (s, x) => await s.GetRequiredService<AddressBlocks>().ListAsync(x.Caller, x.OrganizationId) is not null),
        ["block an address"] = (PortalAction.ManageBlocks, false, async (s, x) =>
            await s.GetRequiredService<AddressBlocks>().AddAsync(x.Caller, x.OrganizationId, "192.0.2.1", 5) is not null),
        ["set the webhook"] = (PortalAction.ManageWebhook, false, async (s, x) =>
            await s.GetRequiredService<WebhookSettings>().SaveAsync(x.Caller, x.OrganizationId, "https://hooks.example.com/portal", newSecret: false) is not null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Service_AnswersAsTheRoom(string name, OrganizationRole? role)
    {
        var (action, other, run) = Actions[name];
        var org = await app.NewOrganizationAsync();
        var colleague = await app.NewMemberAsync(org, OrganizationRole.Developer);
        var member = await app.NewMemberAsync(org, OrganizationRole.Developer);
        var othersKey = await app.CreateKeyInAsync(colleague, org.Id);
        var ownKey = await app.CreateKeyInAsync(member, org.Id);
        await using (var scope = app.Scope())
        {
            // Then the role under test, or removed from the organization (their key stays, as before offboarding rules).
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var membership = await db.Memberships.SingleAsync(m => m.OrganizationId == org.Id && m.UserId == member.User.Id);
            if (role is { } r)
            {
                membership.Role = r;
            }
            else
            {
                db.Memberships.Remove(membership);
            }

            await db.SaveChangesAsync();
        }

        var caller = member.Caller();
        var expected = PermissionRules.Decide(caller, new CallerStanding(role, false), action, other ? colleague.User.Id : member.User.Id, app.Clock.GetUtcNow()).Outcome;

        PermissionOutcome actual;
        await using (var scope = app.Scope())
        {
            try
            {
                actual = await run(scope.ServiceProvider, new Setup(org.Id, caller, ownKey.Key.Id, othersKey.Key.Id)) ? PermissionOutcome.Allowed : PermissionOutcome.Hidden;
            }
            catch (AccessDeniedException)
            {
                actual = PermissionOutcome.Denied;
            }
            catch (NotFoundException)
            {
                actual = PermissionOutcome.Hidden;
            }
        }

        // Reads that answer "nothing" cannot tell hidden from denied apart; both are "not allowed".
        Assert.Equal(expected == PermissionOutcome.Allowed, actual == PermissionOutcome.Allowed);
        if (actual == PermissionOutcome.Denied)
        {
            Assert.Equal(PermissionOutcome.Denied, expected);
        }
    }
}

public sealed class SqlitePermissionServicesTests(SqliteApp app) : PermissionServicesTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlPermissionServicesTests(PostgreSqlApp app) : PermissionServicesTests(app), IClassFixture<PostgreSqlApp>;
