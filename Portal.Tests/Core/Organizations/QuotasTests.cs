using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Organizations;

/// <summary>
/// The product with tiny quotas: a creation at the limit is refused with a 409 naming the field and
/// the setting, and nothing of it is written (no row, no audit record).
/// </summary>
public abstract class QuotaApp(DatabaseProvider provider) : PortalApp(provider)
{
    public const int Keys = 3, Sets = 2, Organizations = 2, Invitations = 2;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Quotas:KeysPerOrganization", Keys.ToString());
        builder.UseSetting("Quotas:PermissionSetsPerOrganization", Sets.ToString());
        builder.UseSetting("Quotas:OrganizationsPerUser", Organizations.ToString());
        builder.UseSetting("Quotas:PendingInvitationsPerOrganization", Invitations.ToString());
    }
}

public sealed class SqliteQuotaApp() : QuotaApp(DatabaseProvider.Sqlite);

public sealed class PostgreSqlQuotaApp() : QuotaApp(DatabaseProvider.PostgreSql);

public abstract class QuotasTests(QuotaApp app)
{
    [Fact]
    public async Task CreateKey_OrganizationAtItsLimit_Answers409NamingKeysAndWritesNothing()
    {
        // The user's management key is the first of the organization's keys.
        var owner = await app.NewUserAsync();
        for (var i = 1; i < QuotaApp.Keys; i++)
        {
            await owner.Client.CreateKeyAsync($"key {i}", "orders:read");
        }

        var (keysBefore, auditBefore) = await CountsAsync(owner.OrganizationId);

        var response = await owner.Client.PostAsJsonAsync("/api/v1/keys", new { name = "one too many", scopes = new[] { "orders:read" } });

        var errors = (await response.ReadProblemAsync(HttpStatusCode.Conflict)).Errors();
        Assert.Contains("Quotas:KeysPerOrganization", errors["keys"][0], StringComparison.Ordinal);
        Assert.Equal((keysBefore, auditBefore), await CountsAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task CreateKey_AfterRevokingOne_IsAllowedAgain()
    {
        var owner = await app.NewUserAsync();
        IssuedKey? last = null;
        for (var i = 1; i < QuotaApp.Keys; i++)
        {
            last = await app.CreateKeyAsync(owner, new CreateKeyCommand($"key {i}", Scopes: ["orders:read"]));
        }

        await Assert.ThrowsAsync<ConflictException>(() => app.CreateKeyAsync(owner, new CreateKeyCommand("refused", Scopes: ["orders:read"])));
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RevokeAsync(owner.Caller(), last!.Key.Id);
        }

        var again = await app.CreateKeyAsync(owner, new CreateKeyCommand("after revoking", Scopes: ["orders:read"]));

        Assert.Equal(KeyStatus.Active, again.Key.Status);
    }

    [Fact]
    public async Task CreatePermissionSet_OrganizationAtItsLimit_IsRefusedNamingPermissionSetsAndWritesNothing()
    {
        var owner = await app.NewUserAsync();
        await using var scope = app.Scope();
        var sets = scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>();
        for (var i = 0; i < QuotaApp.Sets; i++)
        {
            await sets.CreateAsync(owner.Caller(), owner.OrganizationId, $"set {i}", null, [new Grant("orders:read")]);
        }

        var refused = await Assert.ThrowsAsync<ConflictException>(() =>
            sets.CreateAsync(owner.Caller(), owner.OrganizationId, "one too many", null, [new Grant("orders:read")]));
        var imported = await Assert.ThrowsAsync<ConflictException>(() =>
            sets.ImportAsync(owner.Caller(), owner.OrganizationId, """{"format":"portal.permission-set/v1","name":"imported","grants":[{"scope":"orders:read"}]}"""));

        Assert.Equal("permissionSets", refused.Field);
        Assert.Contains("Quotas:PermissionSetsPerOrganization", refused.Message, StringComparison.Ordinal);
        Assert.Equal("permissionSets", imported.Field);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.ChangeTracker.Clear();
        Assert.Equal(QuotaApp.Sets, await db.PermissionSets.CountAsync(p => p.OrganizationId == owner.OrganizationId));
        Assert.Equal(QuotaApp.Sets, await db.AuditRecords.CountAsync(a => a.OrganizationId == owner.OrganizationId && a.Action == AuditActions.PermissionSetCreated));
    }

    [Fact]
    public async Task Invite_OrganizationWithTheMostPending_IsRefusedNamingInvitations_UntilOneIsAnswered()
    {
        var org = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<OrganizationDirectory>();
        for (var i = 0; i < QuotaApp.Invitations; i++)
        {
            await directory.InviteAsync(org.Owner.Caller(), org.Id, $"invitee-{i}-{Guid.NewGuid():N}@example.com", OrganizationRole.Developer);
        }

        var refused = await Assert.ThrowsAsync<ConflictException>(() =>
            directory.InviteAsync(org.Owner.Caller(), org.Id, $"one-too-many-{Guid.NewGuid():N}@example.com", OrganizationRole.Developer));

        Assert.Equal("invitations", refused.Field);
        Assert.Contains("Quotas:PendingInvitationsPerOrganization", refused.Message, StringComparison.Ordinal);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.ChangeTracker.Clear();
        Assert.Equal(QuotaApp.Invitations, await db.Set<Invitation>().CountAsync(i => i.OrganizationId == org.Id));
    }

    [Fact]
    public async Task CreateOrganization_UserOwningTheMost_IsRefusedNamingOrganizationsAndWritesNothing()
    {
        var owner = await app.NewUserAsync();
        await using var scope = app.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<OrganizationDirectory>();
        for (var i = 0; i < QuotaApp.Organizations; i++)
        {
            await directory.CreateAsync(owner.Caller(), $"org {i}");
        }

        var refused = await Assert.ThrowsAsync<ConflictException>(() => directory.CreateAsync(owner.Caller(), "one too many"));

        Assert.Equal("organizations", refused.Field);
        Assert.Contains("Quotas:OrganizationsPerUser", refused.Message, StringComparison.Ordinal);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.ChangeTracker.Clear();
        // The personal organization and the ones created; nothing named "one too many".
        Assert.Equal(QuotaApp.Organizations + 1, await db.Memberships.CountAsync(m => m.UserId == owner.User.Id));
        Assert.False(await db.Organizations.AnyAsync(o => o.Name == "one too many"));
    }

    private async Task<(int Keys, int Audit)> CountsAsync(Guid organizationId)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return (await db.ApiKeys.CountAsync(k => k.OrganizationId == organizationId), await db.AuditRecords.CountAsync(a => a.OrganizationId == organizationId));
    }
}

public sealed class SqliteQuotasTests(SqliteQuotaApp app) : QuotasTests(app), IClassFixture<SqliteQuotaApp>;

public sealed class PostgreSqlQuotasTests(PostgreSqlQuotaApp app) : QuotasTests(app), IClassFixture<PostgreSqlQuotaApp>;
