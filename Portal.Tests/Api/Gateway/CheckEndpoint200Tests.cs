using System.Net;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// The gateway door of an API (header form <c>/api/v1/auth/check/{apiId}</c>, path form
/// <c>/api/v1/auth/ext-authz/{apiId}/…</c>) allowing a request: 200 with the key's identity in
/// <c>X-Auth-*</c> headers for the gateway to pass upstream.
/// </summary>
public abstract class CheckEndpoint200Tests(DoorApp app)
{
    private const string TrustedProxy = "10.0.0.5";

    [Fact]
    public async Task Check_ValidBearerKey_Returns200WithIdentityHeaders()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:write", "orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("VALID", response.Header("X-Auth-Code"));
        Assert.Equal(issued.Key.Id.ToString(), response.Header("X-Auth-Key-Id"));
        Assert.Equal(owner.User.Id.ToString(), response.Header("X-Auth-Owner-Id"));
        Assert.Equal(owner.OrganizationId.ToString(), response.Header("X-Auth-Organization-Id"));
        Assert.Equal((await app.ApiAsync(owner)).PublicId, response.Header("X-Auth-Api-Id"));
        Assert.Equal("test", response.Header("X-Auth-Environment"));
        Assert.Equal("orders:read orders:write", response.Header("X-Auth-Scopes"));
        Assert.Null(response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task Check_ValidKeyInXApiKey_Returns200()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithRawHeader("X-Api-Key", issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(issued.Key.Id.ToString(), response.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task Check_LowerCaseBearerAndPaddedToken_Returns200()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithRawHeader("Authorization", $"bearer   {issued.Token} "));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Check_AnyMethod_Returns200(string method)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.AddRuleAsync(owner, "*", "/orders/{id}", "orders:read");

        using var headerForm = await SendAsync(new HttpRequestMessage(new HttpMethod(method), await app.CheckUrlAsync(owner, "orders:read")).WithBearer(issued.Token));
        using var pathForm = await SendAsync(new HttpRequestMessage(new HttpMethod(method), await app.ExtAuthzUrlAsync(owner, "/orders/42")).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, headerForm.StatusCode);
        Assert.Equal(HttpStatusCode.OK, pathForm.StatusCode);
        Assert.Equal(issued.Key.Id.ToString(), pathForm.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task Check_NoScopeNoRule_ApiAllowsUnmatched_AuthenticatesTheKeyOnly()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, []);
        await app.AllowUnmatchedAsync(owner);

        using var headerForm = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner))
            .WithBearer(issued.Token)
            .WithRawHeader(DoorApp.PeerHeader, TrustedProxy)
            .WithRawHeader("X-Original-Method", "GET")
            .WithRawHeader("X-Original-URI", "/anything"));
        using var pathForm = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/anything")).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, headerForm.StatusCode);
        Assert.Equal("", headerForm.Header("X-Auth-Scopes") ?? "");
        Assert.Equal(HttpStatusCode.OK, pathForm.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("?page=2")]
    public async Task ExtAuthz_ClientRoot_IsDecidedAsSlash(string target)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["root:read"]);
        await app.AddRuleAsync(owner, "GET", "/", "root:read");

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, target)).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("admin:delete")]
    [InlineData("NOT A SCOPE")]
    public async Task ExtAuthz_ScopeInTheClientsQuery_IsIgnored(string clientChosenScope)
    {
        // In the path form the query string is the client's own request's: it must not choose the scope.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, $"/orders/42?scope={Uri.EscapeDataString(clientChosenScope)}")).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("VALID", response.Header("X-Auth-Code"));
    }

    [Theory]
    [InlineData("orders:read")]
    [InlineData("orders:write")]
    [InlineData("orders:refund:partial")]
    public async Task Check_WildcardGrant_SatisfiesNamedScopeOfItsResource(string required)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:*"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, required)).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders:*", response.Header("X-Auth-Scopes"));
    }

    [Fact]
    public async Task Check_RotatedKeyDuringGrace_AcceptsOldAndNewTokens()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var url = await app.CheckUrlAsync(owner, "orders:read");
        using (var first = await SendAsync(Check(url, issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromMinutes(30));
        app.Clock.Advance(TimeSpan.FromMinutes(29));

        using var old = await SendAsync(Check(url, issued.Token));
        using var fresh = await SendAsync(Check(url, rotated.Token));
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(issued.Key.Id.ToString(), old.Header("X-Auth-Key-Id"));
        Assert.Equal(issued.Key.Id.ToString(), fresh.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task Check_KeyExpiringLater_Returns200Now()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddHours(1));

        using var response = await SendAsync(Check(await app.CheckUrlAsync(owner, "orders:read"), issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Check(string url, string token) =>
        new HttpRequestMessage(HttpMethod.Get, url).WithBearer(token);

    [Fact]
    public async Task Check_KeysAndScopesInTurn_EachAnswerNamesItsOwnKeyAndScope()
    {
        // The check reuses its last parsed scope and formatted headers: alternating keys and
        // scopes must never answer with the previous request's.
        var owner = await app.NewUserAsync();
        var reader = await app.CreateKeyAsync(owner, ["orders:read"]);
        var writer = await app.CreateKeyAsync(owner, ["orders:write"]);
        var readUrl = await app.CheckUrlAsync(owner, "orders:read");
        var writeUrl = await app.CheckUrlAsync(owner, "orders:write");

        for (var i = 0; i < 3; i++)
        {
            using var read = await SendAsync(new HttpRequestMessage(HttpMethod.Get, readUrl).WithBearer(reader.Token));
            using var write = await SendAsync(new HttpRequestMessage(HttpMethod.Get, writeUrl).WithBearer(writer.Token));
            using var crossed = await SendAsync(new HttpRequestMessage(HttpMethod.Get, writeUrl).WithBearer(reader.Token));

            Assert.Equal(reader.Key.Id.ToString(), read.Header("X-Auth-Key-Id"));
            Assert.Equal("orders:read", read.Header("X-Auth-Scopes"));
            Assert.Equal(writer.Key.Id.ToString(), write.Header("X-Auth-Key-Id"));
            Assert.Equal("orders:write", write.Header("X-Auth-Scopes"));
            Assert.Equal(HttpStatusCode.Forbidden, crossed.StatusCode);
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => app.AnonymousClient().SendAsync(request);
}

public sealed class SqliteCheckEndpoint200Tests(SqliteDoorApp app) : CheckEndpoint200Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpoint200Tests(PostgreSqlDoorApp app) : CheckEndpoint200Tests(app), IClassFixture<PostgreSqlDoorApp>;
