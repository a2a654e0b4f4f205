using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Organizations;

/// <summary>
/// Removing a member or changing their role through <see cref="OrganizationDirectory"/>: what happens
/// to their keys, their invitations, the audit trail, the admins' notifications and the caches, and
/// that the preview is exactly what the change then does.
/// </summary>
public abstract class MemberOffboardingTests(PortalApp app) : IDisposable
{
    private readonly ConcurrentBag<Guid> _published = [];
    private bool _listening;

    [Fact]
    public async Task RemoveMember_RevokesTheirKeysInThatOrganizationOnly_AuditsEach_NotifiesAdmins_CancelsTheirInvitations()
    {
        var organization = await app.NewOrganizationAsync();
        var otherAdmin = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var member = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var first = await KeyAsync(member, organization.Id, ["orders:read"]);
        var second = await KeyAsync(member, organization.Id, ["orders:admin"]);
        var elsewhere = await app.NewOrganizationAsync();
        await AddMemberAsync(elsewhere, member, OrganizationRole.Developer);
        var otherOrganizationKey = await KeyAsync(member, elsewhere.Id, ["orders:read"]);
        var invitation = await InviteAsync(member, organization.Id, OrganizationRole.Developer);
        var ownersInvitation = await InviteAsync(organization.Owner, organization.Id, OrganizationRole.Developer);
        Listen();

        var preview = await Directory(d => d.RemoveMemberAsync(organization.Owner.Caller(), organization.Id, member.User.Id, MemberChangeMode.Preview));
        var done = await Directory(d => d.RemoveMemberAsync(organization.Owner.Caller(), organization.Id, member.User.Id, MemberChangeMode.Apply));

        Assert.NotNull(done);
        Assert.Equivalent(preview, done, strict: true);
        Assert.Equal(new[] { first.Key.Id, second.Key.Id }.Order(), done.RevokedKeys.Select(k => k.KeyId).Order());
        Assert.All(done.RevokedKeys, k => Assert.Equal(KeyRevocationCause.MemberRemoved, k.Cause));
        Assert.Empty(done.ReducedKeys);
        Assert.Equal([invitation], done.CancelledInvitations.Select(i => i.InvitationId));

        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(first.Key.Id)).Status);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(second.Key.Id)).Status);
        Assert.NotNull((await app.ReadKeyAsync(first.Key.Id)).RevokedAt);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(otherOrganizationKey.Key.Id)).Status);
        Assert.Equal(KeyStatus.Active, (await PersonalKeyAsync(member)).Status);
        Assert.Null(await Directory(d => d.FindAsync(member.Caller(), organization.Id)));

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        foreach (var key in new[] { first, second })
        {
            var record = await db.AuditRecords.AsNoTracking().SingleAsync(a => a.TargetId == key.Key.Id.ToString() && a.Action == AuditActions.KeyRevoked);
            Assert.Equal(organization.Owner.User.Email, record.Actor);
            Assert.Equal(AuditActions.MemberRemoved, Detail(record, "reason"));
            Assert.Equal(member.User.Email, Detail(record, "member"));
        }

        Assert.True(await db.AuditRecords.AnyAsync(a => a.Action == AuditActions.MemberRemoved && a.TargetId == member.User.Id.ToString()));
        var cancelled = await db.AuditRecords.AsNoTracking().SingleAsync(a => a.Action == OrganizationDirectory.InvitationRevokedAction && a.TargetId == invitation.ToString());
        Assert.Equal(AuditActions.MemberRemoved, Detail(cancelled, "reason"));
        Assert.NotNull((await db.Set<Invitation>().AsNoTracking().SingleAsync(i => i.Id == invitation)).RevokedAt);
        Assert.Null((await db.Set<Invitation>().AsNoTracking().SingleAsync(i => i.Id == ownersInvitation)).RevokedAt);

        var notified = await db.Notifications.AsNoTracking().Where(n => n.OrganizationId == organization.Id && n.Kind == NotificationKinds.MemberKeysChanged).ToListAsync();
        Assert.Equal(new[] { organization.Owner.User.Id, otherAdmin.User.Id }.Order(), notified.Select(n => n.UserId).Order());
        Assert.All(notified, n =>
        {
            Assert.Contains(first.Key.Name, n.Message, StringComparison.Ordinal);
            Assert.Contains(second.Key.Hint, n.Message, StringComparison.Ordinal);
            Assert.Contains($"removed {member.User.Email}", n.Message, StringComparison.Ordinal);
        });
        Assert.Equal(new[] { first.Key.Id, second.Key.Id }.Order(), _published.Distinct().Order());
    }

    [Fact]
    public async Task RemoveMember_TheirRevokedKeysGetNoMoreReminders()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var key = await KeyAsync(member, organization.Id, ["orders:read"], expiresAt: app.Clock.GetUtcNow().AddDays(3));

        Assert.True(await Directory(d => d.RemoveMemberAsync(organization.Owner.Caller(), organization.Id, member.User.Id)));
        await app.RunJobAsync<KeyReminders>();

        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Notifications.AnyAsync(n => n.KeyId == key.Key.Id));
    }

    [Fact]
    public async Task Leave_TakesTheSamePath_RevokesOwnKeys()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var key = await KeyAsync(member, organization.Id, ["orders:read"]);

        var preview = await Directory(d => d.RemoveMemberAsync(member.Caller(), organization.Id, member.User.Id, MemberChangeMode.Preview));
        var done = await Directory(d => d.RemoveMemberAsync(member.Caller(), organization.Id, member.User.Id, MemberChangeMode.Apply));

        Assert.Equivalent(preview, done, strict: true);
        Assert.Equal([key.Key.Id], done!.RevokedKeys.Select(k => k.KeyId));
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(key.Key.Id)).Status);
        await using var scope = app.Scope();
        var notice = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Notifications.AsNoTracking()
            .SingleAsync(n => n.OrganizationId == organization.Id && n.UserId == organization.Owner.User.Id);
        Assert.StartsWith($"{member.User.Email} left ", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoteAdminToDeveloper_StripsAdministrativeScopesGrantsAndSets_KeepsTheRest()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var adminSet = await SetAsync(organization, "order admins", new Grant("orders:admin"));
        var readSet = await SetAsync(organization, "order readers", new Grant("orders:read"));
        var scopedRead = new Grant("invoices:read", ["invoice/eu-*"]);
        var mixed = await KeyAsync(member, organization.Id, ["keys:manage", "orders:admin", "orders:read"],
            grants: [new Grant("*:*"), scopedRead], sets: [adminSet.Id, readSet.Id]);
        var onlyAdministrative = await KeyAsync(member, organization.Id, ["orders:*"]);
        var plain = await KeyAsync(member, organization.Id, ["orders:read"]);
        var adminInvitation = await InviteAsync(member, organization.Id, OrganizationRole.Admin);
        var developerInvitation = await InviteAsync(member, organization.Id, OrganizationRole.Developer);
        Listen();

        var preview = await Directory(d => d.ChangeRoleAsync(organization.Owner.Caller(), organization.Id, member.User.Id, OrganizationRole.Developer, MemberChangeMode.Preview));
        var done = await Directory(d => d.ChangeRoleAsync(organization.Owner.Caller(), organization.Id, member.User.Id, OrganizationRole.Developer, MemberChangeMode.Apply));

        Assert.NotNull(done);
        Assert.Equivalent(preview, done, strict: true);
        var reduction = Assert.Single(done.ReducedKeys);
        Assert.Equal(mixed.Key.Id, reduction.KeyId);
        Assert.Equal(["orders:admin"], reduction.RemovedScopes);
        Assert.Equal(["*:*"], reduction.RemovedGrants.Select(g => g.Scope));
        Assert.Equal([adminSet.Id], reduction.RemovedPermissionSets.Select(p => p.Id));
        var revocation = Assert.Single(done.RevokedKeys);
        Assert.Equal((onlyAdministrative.Key.Id, KeyRevocationCause.NothingLeft), (revocation.KeyId, revocation.Cause));
        // Developers invite nobody: both of the member's invitations go.
        Assert.Equal(new[] { adminInvitation, developerInvitation }.Order(), done.CancelledInvitations.Select(i => i.InvitationId).Order());

        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var kept = await db.ApiKeys.AsNoTracking().Include(k => k.PermissionSets).SingleAsync(k => k.Id == mixed.Key.Id);
        Assert.Equal(KeyStatus.Active, kept.Status);
        Assert.Equal(["keys:manage", "orders:read"], kept.Scopes);
        Assert.Equal([scopedRead.Canonical()], kept.Grants.Select(g => g.Canonical()));
        Assert.Equal([readSet.Id], kept.PermissionSets.Select(p => p.Id));
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(onlyAdministrative.Key.Id)).Status);
        var untouched = await app.ReadKeyAsync(plain.Key.Id);
        Assert.Equal((KeyStatus.Active, plain.Key.ConcurrencyStamp), (untouched.Status, untouched.ConcurrencyStamp));
        Assert.Equal(OrganizationRole.Developer, (await Directory(d => d.FindAsync(member.Caller(), organization.Id)))!.Role);

        var reduced = await db.AuditRecords.AsNoTracking().SingleAsync(a => a.Action == AuditActions.KeyAccessReduced && a.TargetId == mixed.Key.Id.ToString());
        using var details = JsonDocument.Parse(reduced.Details!);
        Assert.Equal(AuditActions.MemberRoleChanged, details.RootElement.GetProperty("reason").GetString());
        Assert.Equal(["keys:manage", "orders:admin", "orders:read"], details.RootElement.GetProperty("before").GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["keys:manage", "orders:read"], details.RootElement.GetProperty("after").GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, details.RootElement.GetProperty("before").GetProperty("permissionSets").GetArrayLength());
        Assert.Equal(1, details.RootElement.GetProperty("after").GetProperty("permissionSets").GetArrayLength());
        Assert.True(await db.AuditRecords.AnyAsync(a => a.Action == AuditActions.KeyRevoked && a.TargetId == onlyAdministrative.Key.Id.ToString()));
        Assert.False(await db.AuditRecords.AnyAsync(a => a.TargetId == plain.Key.Id.ToString() && a.Action != AuditActions.KeyCreated));
        Assert.Equal(2, await db.AuditRecords.CountAsync(a => a.Action == OrganizationDirectory.InvitationRevokedAction && a.OrganizationId == organization.Id));
        Assert.Equal(new[] { mixed.Key.Id, onlyAdministrative.Key.Id }.Order(), _published.Distinct().Order());
    }

    [Fact]
    public async Task DemoteToViewer_RevokesEveryKey()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var first = await KeyAsync(member, organization.Id, ["orders:read"]);
        var second = await KeyAsync(member, organization.Id, ["keys:manage"]);

        var done = await Directory(d => d.ChangeRoleAsync(organization.Owner.Caller(), organization.Id, member.User.Id, OrganizationRole.Viewer, MemberChangeMode.Apply));

        Assert.Equal(new[] { first.Key.Id, second.Key.Id }.Order(), done!.RevokedKeys.Select(k => k.KeyId).Order());
        Assert.All(done.RevokedKeys, k => Assert.Equal(KeyRevocationCause.RoleHoldsNoKeys, k.Cause));
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(first.Key.Id)).Status);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(second.Key.Id)).Status);
    }

    [Fact]
    public async Task DemoteOwnerToAdmin_CancelsOnlyTheOwnerInvitations()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Owner);
        var key = await KeyAsync(member, organization.Id, ["*:*"]);
        var ownerInvitation = await InviteAsync(member, organization.Id, OrganizationRole.Owner);
        var adminInvitation = await InviteAsync(member, organization.Id, OrganizationRole.Admin);

        var done = await Directory(d => d.ChangeRoleAsync(organization.Owner.Caller(), organization.Id, member.User.Id, OrganizationRole.Admin, MemberChangeMode.Apply));

        Assert.Equal([ownerInvitation], done!.CancelledInvitations.Select(i => i.InvitationId));
        Assert.Empty(done.RevokedKeys);
        Assert.Empty(done.ReducedKeys);
        Assert.Equal(["*:*"], (await app.ReadKeyAsync(key.Key.Id)).Scopes);
        await using var scope = app.Scope();
        var invitations = scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<Invitation>().AsNoTracking();
        Assert.NotNull((await invitations.SingleAsync(i => i.Id == ownerInvitation)).RevokedAt);
        Assert.Null((await invitations.SingleAsync(i => i.Id == adminInvitation)).RevokedAt);
        // The demoted member is still an admin, so the notice reaches them too.
        Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Notifications
            .CountAsync(n => n.OrganizationId == organization.Id && n.Kind == NotificationKinds.MemberKeysChanged));
    }

    [Fact]
    public async Task Promote_ChangesNoKeyAndNoInvitation()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var key = await KeyAsync(member, organization.Id, ["orders:read", "keys:manage"]);
        Listen();

        var done = await Directory(d => d.ChangeRoleAsync(organization.Owner.Caller(), organization.Id, member.User.Id, OrganizationRole.Admin, MemberChangeMode.Apply));

        Assert.True(done!.TouchesNothing);
        var stored = await app.ReadKeyAsync(key.Key.Id);
        Assert.Equal((KeyStatus.Active, key.Key.ConcurrencyStamp), (stored.Status, stored.ConcurrencyStamp));
        Assert.Empty(_published);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False(await db.Notifications.AnyAsync(n => n.OrganizationId == organization.Id));
        Assert.Equal(OrganizationRole.Admin, (await Directory(d => d.FindAsync(member.Caller(), organization.Id)))!.Role);
    }

    [Fact]
    public async Task Preview_WritesNothing()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var key = await KeyAsync(member, organization.Id, ["orders:admin", "orders:read"]);
        var invitation = await InviteAsync(member, organization.Id, OrganizationRole.Developer);
        var auditBefore = await AuditCountAsync(organization.Id);
        Listen();

        var removal = await Directory(d => d.RemoveMemberAsync(organization.Owner.Caller(), organization.Id, member.User.Id, MemberChangeMode.Preview));
        var demotion = await Directory(d => d.ChangeRoleAsync(organization.Owner.Caller(), organization.Id, member.User.Id, OrganizationRole.Developer, MemberChangeMode.Preview));

        Assert.Equal([key.Key.Id], removal!.RevokedKeys.Select(k => k.KeyId));
        Assert.Equal(["orders:admin"], Assert.Single(demotion!.ReducedKeys).RemovedScopes);
        Assert.Equal([invitation], demotion.CancelledInvitations.Select(i => i.InvitationId));
        await AssertUnchangedAsync(organization, member, OrganizationRole.Admin, key, invitation, auditBefore);
    }

    [Fact]
    public async Task Remove_WhenTheSaveFails_WritesNothingAndDropsNothing()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var key = await KeyAsync(member, organization.Id, ["orders:read"]);
        var other = await KeyAsync(member, organization.Id, ["orders:write"]);
        var invitation = await InviteAsync(member, organization.Id, OrganizationRole.Developer);
        var auditBefore = await AuditCountAsync(organization.Id);
        Listen();

        await using (var scope = app.Scope())
        {
            // Someone else changed one of the keys after the change read it: its update matches no row.
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.SavingChanges += (_, _) =>
            {
                var entry = db.ChangeTracker.Entries<ApiKey>().Single(e => e.Entity.Id == other.Key.Id);
                entry.Property(k => k.ConcurrencyStamp).OriginalValue = Guid.NewGuid();
            };
            var directory = scope.ServiceProvider.GetRequiredService<OrganizationDirectory>();

            await Assert.ThrowsAsync<ConflictException>(() => directory.RemoveMemberAsync(organization.Owner.Caller(), organization.Id, member.User.Id));
            Assert.Empty(db.ChangeTracker.Entries());
        }

        await AssertUnchangedAsync(organization, member, OrganizationRole.Admin, key, invitation, auditBefore);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(other.Key.Id)).Status);

        // Confirmed again, it goes through.
        Assert.True(await Directory(d => d.RemoveMemberAsync(organization.Owner.Caller(), organization.Id, member.User.Id)));
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(other.Key.Id)).Status);
    }

    public void Dispose()
    {
        if (_listening)
        {
            app.Services.GetRequiredService<KeyChangeFeed>().Changed -= Record;
        }

        GC.SuppressFinalize(this);
    }

    private void Listen()
    {
        app.Services.GetRequiredService<KeyChangeFeed>().Changed += Record;
        _listening = true;
    }

    private void Record(KeyChange change) => _published.Add(change.KeyId);

    private async Task AssertUnchangedAsync(TestOrganization organization, TestUser member, OrganizationRole role, IssuedKey key, Guid invitation, int auditRecords)
    {
        Assert.Equal(role, (await Directory(d => d.FindAsync(member.Caller(), organization.Id)))?.Role);
        var stored = await app.ReadKeyAsync(key.Key.Id);
        Assert.Equal((KeyStatus.Active, key.Key.ConcurrencyStamp), (stored.Status, stored.ConcurrencyStamp));
        Assert.Equal(key.Key.Scopes, stored.Scopes);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Null((await db.Set<Invitation>().AsNoTracking().SingleAsync(i => i.Id == invitation)).RevokedAt);
        Assert.Equal(auditRecords, await AuditCountAsync(organization.Id));
        Assert.False(await db.Notifications.AnyAsync(n => n.OrganizationId == organization.Id));
        Assert.Empty(_published);
    }

    private async Task<int> AuditCountAsync(Guid organizationId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.CountAsync(a => a.OrganizationId == organizationId);
    }

    private async Task<IssuedKey> KeyAsync(TestUser member, Guid organizationId, string[] scopes, IReadOnlyList<Grant>? grants = null, IReadOnlyList<Guid>? sets = null, DateTimeOffset? expiresAt = null)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(member.Caller(),
            new CreateKeyCommand($"key {Guid.NewGuid():N}"[..12], Scopes: scopes, Grants: grants, PermissionSetIds: sets, ExpiresAt: expiresAt, OrganizationId: organizationId));
    }

    private async Task<PermissionSet> SetAsync(TestOrganization organization, string name, params Grant[] grants)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>().CreateAsync(organization.Owner.Caller(), organization.Id, name, null, grants);
    }

    private async Task<Guid> InviteAsync(TestUser inviter, Guid organizationId, OrganizationRole role)
    {
        var issued = await Directory(d => d.InviteAsync(inviter.Caller(), organizationId, $"invited-{Guid.NewGuid():N}@example.com", role));
        return issued!.Invitation.Id;
    }

    private async Task AddMemberAsync(TestOrganization organization, TestUser user, OrganizationRole role)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Memberships.Add(new Membership { OrganizationId = organization.Id, UserId = user.User.Id, Role = role, CreatedAt = app.Clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    private async Task<ApiKey> PersonalKeyAsync(TestUser user)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys.AsNoTracking()
            .SingleAsync(k => k.OwnerId == user.User.Id && k.OrganizationId == user.User.PersonalOrganizationId);
    }

    private static string? Detail(AuditRecord record, string property)
    {
        using var details = JsonDocument.Parse(record.Details!);
        return details.RootElement.GetProperty(property).GetString();
    }

    // A fresh scope (and DbContext) per call, as each request or circuit event has.
    private async Task<T> Directory<T>(Func<OrganizationDirectory, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<OrganizationDirectory>());
    }
}

public sealed class SqliteMemberOffboardingTests(SqliteApp app) : MemberOffboardingTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlMemberOffboardingTests(PostgreSqlApp app) : MemberOffboardingTests(app), IClassFixture<PostgreSqlApp>;

/// <summary>The plan and the admins' message as pure functions, without a database.</summary>
public sealed class MemberOffboardingPlanTests
{
    [Fact]
    public void Plan_DemotionToAdmin_KeepsEverythingButOwnerInvitations()
    {
        var key = new ApiKey { Name = "ops", Hint = "pk_test_AAAA…ZZZZ", Scopes = ["*:*"], Grants = [new Grant("orders:admin")] };
        var invitations = new[] { Invitation(OrganizationRole.Owner), Invitation(OrganizationRole.Admin), Invitation(OrganizationRole.Viewer) };

        var plan = MemberOffboarding.Plan(Guid.NewGuid(), Guid.NewGuid(), "ann@example.com", OrganizationRole.Owner, OrganizationRole.Admin, [key], invitations);

        Assert.Empty(plan.RevokedKeys);
        Assert.Empty(plan.ReducedKeys);
        Assert.Equal([invitations[0].Id], plan.CancelledInvitations.Select(i => i.InvitationId));
    }

    [Fact]
    public void Plan_DemotionToDeveloper_KeyWithOnlyAdministrativeAccessIsRevoked_KeyWithNothingIsLeftAlone()
    {
        var administrative = new ApiKey { Name = "a", Hint = "h1", Scopes = ["orders:admin"], Grants = [new Grant("*:*")] };
        var empty = new ApiKey { Name = "b", Hint = "h2" };

        var plan = MemberOffboarding.Plan(Guid.NewGuid(), Guid.NewGuid(), "ann@example.com", OrganizationRole.Admin, OrganizationRole.Developer, [empty, administrative], []);

        var revoked = Assert.Single(plan.RevokedKeys);
        Assert.Equal((administrative.Id, KeyRevocationCause.NothingLeft), (revoked.KeyId, revoked.Cause));
        Assert.Empty(plan.ReducedKeys);
    }

    [Fact]
    public void NotificationMessage_ManyLongNamedKeys_StaysWithinTheLimit_AndCountsTheRest()
    {
        var keys = Enumerable.Range(0, 30).Select(i => new ApiKey { Name = $"{i:D2}" + new string('k', ApiKey.NameMaxLength - 2), Hint = "pk_test_AAAA…ZZZZ" }).ToList();
        var plan = MemberOffboarding.Plan(Guid.NewGuid(), Guid.NewGuid(), "ann@example.com", OrganizationRole.Developer, null, keys, []);
        var actor = new Caller(Guid.NewGuid(), "admin@example.com", Channels.Portal);

        var message = MemberOffboarding.NotificationMessage(plan, "Acme", actor);

        Assert.True(message.Length <= Notification.MessageMaxLength, $"{message.Length} characters");
        Assert.StartsWith("admin@example.com removed ann@example.com from Acme. Keys revoked (30): “00", message, StringComparison.Ordinal);
        Assert.Matches(@" and 2\d more \(see the audit log\)\.$", message);
    }

    private static Invitation Invitation(OrganizationRole role) =>
        new() { Email = $"{role}@example.com", NormalizedEmail = $"{role}@EXAMPLE.COM", Role = role, TokenHash = new byte[32] };
}
