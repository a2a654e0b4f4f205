using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Access;

/// <summary>The test-access tool with a client address: the IP lists decide as at the doors, and the answer names the list.</summary>
public abstract class AccessExplainerProtectionTests(PortalApp app)
{
    [Fact]
    public async Task Explain_KeyAllowlist_RefusesOtherAddressesAndNamesTheKeysList()
    {
        var owner = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, new RequestProtections(["203.0.113.0/24"]));

        var outside = await ExplainAsync(owner, key, "198.51.100.7");
        var inside = await ExplainAsync(owner, key, "203.0.113.9");
        var unasked = await ExplainAsync(owner, key, null);

        Assert.Equal((ReasonCodes.IpNotAllowed, ProtectionSource.KeyAllowlist, "198.51.100.7"), (outside.Code, outside.DecidedBy, outside.Address));
        Assert.Null(outside.Grant);
        Assert.Equal((ReasonCodes.Valid, (ProtectionSource?)null, "203.0.113.9"), (inside.Code, inside.DecidedBy, inside.Address));
        // Without an address the lists are not asked, rather than refusing an address nobody gave.
        Assert.Equal((ReasonCodes.Valid, (string?)null), (unasked.Code, unasked.Address));
    }

    [Fact]
    public async Task Explain_OrganizationDenyListAndApiAllowlist_DecideBeforeTheKeysList()
    {
        var owner = await app.NewUserAsync();
        var api = await app.ApiAsync(owner);
        await InScope<ApiCatalog, ProtectedApi?>(c => c.UpdateAsync(owner.Caller(), api.Id, new ApiChanges(Protections: new ProtectionChanges(IpAllowlist: ["203.0.113.0/24"]))));
        await InScope<OrganizationPolicies, OrganizationPolicy?>(p => p.UpdateAsync(owner.Caller(), owner.OrganizationId, new PolicySettings(DeniedNetworks: ["203.0.113.128/25"])));
        var key = await CreateKeyAsync(owner, new RequestProtections(["0.0.0.0/0"]));

        var denied = await ExplainAsync(owner, key, "203.0.113.200", api.Id);
        var outsideApi = await ExplainAsync(owner, key, "198.51.100.7", api.Id);
        var allowed = await ExplainAsync(owner, key, "203.0.113.9", api.Id);

        Assert.Equal((ReasonCodes.IpNotAllowed, ProtectionSource.OrganizationDeniedNetworks), (denied.Code, denied.DecidedBy));
        Assert.Equal((ReasonCodes.IpNotAllowed, ProtectionSource.ApiAllowlist), (outsideApi.Code, outsideApi.DecidedBy));
        Assert.Equal(ReasonCodes.Valid, allowed.Code);
    }

    [Fact]
    public async Task Explain_NotAnAddress_NamesTheField()
    {
        var owner = await app.NewUserAsync();
        var key = await CreateKeyAsync(owner, RequestProtections.None);

        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => ExplainAsync(owner, key, "203.0.113.300"));

        Assert.Equal(["clientAddress"], refused.Errors.Keys);
    }

    private async Task<Guid> CreateKeyAsync(TestUser owner, RequestProtections protections)
    {
        var issued = await InScope<KeyCatalog, IssuedKey>(c => c.CreateAsync(owner.Caller(), new CreateKeyCommand(
            "key " + Guid.NewGuid().ToString("N")[..8], Scopes: ["orders:read"], OrganizationId: owner.OrganizationId, Protections: protections)));
        return issued.Key.Id;
    }

    private async Task<AccessExplanation> ExplainAsync(TestUser user, Guid key, string? address, Guid? apiId = null) =>
        (await InScope<AccessExplainer, AccessExplanation?>(e => e.ExplainAsync(user.Caller(), key, new AccessQuestion(null, null, "orders:read", ApiId: apiId, ClientAddress: address))))!;

    // A fresh scope (and DbContext) per call, as each circuit event has.
    private async Task<T> InScope<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}

public sealed class SqliteAccessExplainerProtectionTests(SqliteApp app) : AccessExplainerProtectionTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAccessExplainerProtectionTests(PostgreSqlApp app) : AccessExplainerProtectionTests(app), IClassFixture<PostgreSqlApp>;
