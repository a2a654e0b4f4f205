using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

/// <summary>
/// A key's rate limits and quota are the API provider's control: a developer owner gives their key
/// limits at creation (they only restrict it) but cannot raise or remove them afterwards; an admin
/// can. The allowlist and countries stay self-serve.
/// </summary>
public abstract class KeyLimitsPermissionTests(PortalApp app)
{
    [Fact]
    public async Task DeveloperOwner_CannotChangeLimitsOrQuota_AdminCan_AllowlistStaysSelfServe()
    {
        var organization = await app.NewOrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        await using var scope = app.Scope();
        var keys = scope.ServiceProvider.GetRequiredService<KeyCatalog>();
        var issued = await keys.CreateAsync(developer.Caller(organization.Id), new CreateKeyCommand("limited", Scopes: ["orders:read"], OrganizationId: organization.Id,
            Protections: new RequestProtections(RateLimits: [new RateLimitRule("burst", 10, 1)], Quota: new QuotaRule(100))));

        var raise = await Assert.ThrowsAsync<AccessDeniedException>(() => keys.UpdateAsync(developer.Caller(organization.Id), issued.Key.Id,
            new UpdateKeyCommand(Protections: new ProtectionChanges(RateLimits: []))));
        var refill = await Assert.ThrowsAsync<AccessDeniedException>(() => keys.UpdateAsync(developer.Caller(organization.Id), issued.Key.Id,
            new UpdateKeyCommand(Protections: new ProtectionChanges(RemoveQuota: true))));
        var allowlisted = await keys.UpdateAsync(developer.Caller(organization.Id), issued.Key.Id,
            new UpdateKeyCommand(Protections: new ProtectionChanges(IpAllowlist: ["203.0.113.0/24"])));
        Assert.Equal(10, allowlisted!.Protections.RateLimits![0].Limit);
        var byAdmin = await keys.UpdateAsync(organization.Owner.Caller(organization.Id), issued.Key.Id,
            new UpdateKeyCommand(Protections: new ProtectionChanges(RateLimits: [new RateLimitRule("burst", 100, 1)])));

        Assert.Contains("admins", raise.Message);
        Assert.NotNull(refill);
        Assert.Equal(100, byAdmin!.Protections.RateLimits![0].Limit);
        Assert.Equal(["203.0.113.0/24"], byAdmin.Protections.IpAllowlist);
    }
}

public sealed class SqliteKeyLimitsPermissionTests(SqliteApp app) : KeyLimitsPermissionTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeyLimitsPermissionTests(PostgreSqlApp app) : KeyLimitsPermissionTests(app), IClassFixture<PostgreSqlApp>;
