using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// Two organizations on one server: the gateway door answers only for the API it protects. A key
/// of another organization is an unknown key at every door and form, filed in neither
/// organization's log; keys limited to other APIs and keys of an environment the API does not
/// accept are refused; a key at its own API passes.
/// </summary>
public abstract class GatewayTenancyTests(DoorApp app)
{
    [Fact]
    public async Task ForeignKey_AtEveryDoorAndForm_IsNotFoundAndLoggedInNeitherOrganization()
    {
        var victim = await app.NewUserAsync(null, Scope.KeysVerify);
        var stranger = await app.NewUserAsync();
        await app.AddRuleAsync(victim, "GET", "/orders/{id}", "orders:read");
        var api = await app.ApiAsync(victim);
        var foreign = await app.CreateKeyAsync(stranger, ["orders:read"]);
        var path = $"/orders/{Guid.NewGuid():N}";

        using var scoped = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(victim, "orders:read")).WithBearer(foreign.Token));
        using var ruled = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(victim))
            .WithBearer(foreign.Token).WithRawHeader(DoorApp.PeerHeader, "10.0.0.5").WithRawHeader("X-Original-URI", path));
        using var envoy = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(victim, path)).WithBearer(foreign.Token));
        using var verify = await victim.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = foreign.Token, apiId = api.PublicId, scope = "orders:read" });

        foreach (var response in new[] { scoped, ruled, envoy })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(ReasonCodes.NotFound, response.Header("X-Auth-Code"));
            Assert.Null(response.Header("X-Auth-Key-Id"));
        }

        Assert.Equal(ReasonCodes.NotFound, (await verify.ReadJsonAsync()).GetProperty("code").GetString());
        var hint = ApiKeyToken.Hint(foreign.Token);
        await app.LogSentinelAsync();
        var decisions = await app.WaitForLogAsync(q => q.Where(r => r.KeyHint == hint), atLeast: 4);
        Assert.Equal(4, decisions.Count);
        Assert.All(decisions, r => Assert.Null(r.OrganizationId));
        Assert.All(decisions, r => Assert.Null(r.KeyId));
        Assert.Equal(2, decisions.Count(r => r.Path == path));
    }

    [Fact]
    public async Task OwnKey_AtItsApi_PassesWithTheApiAndEnvironmentNamed()
    {
        var owner = await app.NewUserAsync();
        var api = await app.ApiAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(api.PublicId, response.Header("X-Auth-Api-Id"));
        Assert.Equal("test", response.Header("X-Auth-Environment"));
        Assert.Equal(owner.OrganizationId.ToString(), response.Header("X-Auth-Organization-Id"));
    }

    [Fact]
    public async Task KeyLimitedToAnotherApi_Is403ApiNotAllowed_AndPassesItsOwn()
    {
        var owner = await app.NewUserAsync();
        var shop = await app.ApiAsync(owner);
        var billing = await CreateApiAsync(owner, "billing", ApiEnvironments.Both);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await LimitAsync(issued.Key.Id, billing.Id);

        using var atShop = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{shop.PublicId}?scope=orders:read").WithBearer(issued.Token));
        using var atBilling = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{billing.PublicId}?scope=orders:read").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, atShop.StatusCode);
        Assert.Equal(ReasonCodes.ApiNotAllowed, atShop.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.OK, atBilling.StatusCode);
    }

    [Fact]
    public async Task TestKeyAtLiveOnlyApi_Is403EnvironmentNotAllowed()
    {
        var owner = await app.NewUserAsync();
        var live = await CreateApiAsync(owner, "live only", environments: null);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{live.PublicId}?scope=orders:read").WithBearer(issued.Token));

        Assert.Equal(ApiEnvironments.Live, live.Environments);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(ReasonCodes.EnvironmentNotAllowed, response.Header("X-Auth-Code"));
    }

    [Theory]
    [InlineData("/api/v1/auth/check")]
    [InlineData("/api/v1/auth/check?scope=orders:read")]
    [InlineData("/api/v1/auth/check/orders/42")]
    [InlineData("/api/v1/auth/check/api_00000000000000000000000000000000?scope=orders:read")]
    [InlineData("/api/v1/auth/check/API_0123456789abcdef0123456789abcdef")]
    [InlineData("/api/v1/auth/check/not-an-id")]
    [InlineData("/api/v1/auth/ext-authz/api_00000000000000000000000000000000/orders/1")]
    public async Task UnboundOrUnknownApi_Is404(string url)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task DeletedApi_IsUnknownOnTheNextRequest()
    {
        var owner = await app.NewUserAsync();
        var doomed = await CreateApiAsync(owner, "doomed", ApiEnvironments.Both);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var url = $"/api/v1/auth/check/{doomed.PublicId}?scope=orders:read";
        using (var before = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await using (var scope = app.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ApiCatalog>().DeleteAsync(owner.Caller(), doomed.Id));
        }

        using var after = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    private async Task<ProtectedApi> CreateApiAsync(TestUser owner, string name, ApiEnvironments? environments)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ApiCatalog>().CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft(name, Environments: environments));
    }

    // Set in the database before the key is first used, so no cached snapshot holds the old list.
    private async Task LimitAsync(Guid keyId, params Guid[] apiIds)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var key = await db.ApiKeys.SingleAsync(k => k.Id == keyId);
        key.ApiIds = [.. apiIds];
        await db.SaveChangesAsync();
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => app.AnonymousClient().SendAsync(request);
}

public sealed class SqliteGatewayTenancyTests(SqliteDoorApp app) : GatewayTenancyTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlGatewayTenancyTests(PostgreSqlDoorApp app) : GatewayTenancyTests(app), IClassFixture<PostgreSqlDoorApp>;
