using System.Net;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// <c>/api/v1/auth/check[/{**path}]</c> allowing a request: 200 with the key's identity in
/// <c>X-Auth-*</c> headers for the gateway to pass upstream.
/// </summary>
public abstract class CheckEndpoint200Tests(DoorApp app)
{
    [Fact]
    public async Task Check_ValidBearerKey_Returns200WithIdentityHeaders()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:write", "orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("VALID", response.Header("X-Auth-Code"));
        Assert.Equal(issued.Key.Id.ToString(), response.Header("X-Auth-Key-Id"));
        Assert.Equal(owner.User.Id.ToString(), response.Header("X-Auth-Owner-Id"));
        Assert.Equal(owner.OrganizationId.ToString(), response.Header("X-Auth-Organization-Id"));
        Assert.Equal("orders:read orders:write", response.Header("X-Auth-Scopes"));
        Assert.Null(response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task Check_ValidKeyInXApiKey_Returns200()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read").WithRawHeader("X-Api-Key", issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(issued.Key.Id.ToString(), response.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task Check_LowerCaseBearerAndPaddedToken_Returns200()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read").WithRawHeader("Authorization", $"bearer   {issued.Token} "));

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

        using var bare = await SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/v1/auth/check?scope=orders:read").WithBearer(issued.Token));
        using var suffixed = await SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/v1/auth/check/orders/42").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.Equal(HttpStatusCode.OK, suffixed.StatusCode);
        Assert.Equal(issued.Key.Id.ToString(), suffixed.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task Check_NoScopeNoRule_OrganizationAllowsUnmatched_AuthenticatesTheKeyOnly()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, []);
        await app.AllowUnmatchedAsync(owner);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", response.Header("X-Auth-Scopes") ?? "");
    }

    [Theory]
    [InlineData("admin:delete")]
    [InlineData("NOT A SCOPE")]
    public async Task Check_ScopeInQueryOfSuffixForm_IsIgnored(string clientChosenScope)
    {
        // With a path suffix the query string is the client's own request's: it must not choose the scope.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/orders/42?scope={Uri.EscapeDataString(clientChosenScope)}").WithBearer(issued.Token));

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

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check?scope={required}").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders:*", response.Header("X-Auth-Scopes"));
    }

    [Fact]
    public async Task Check_RotatedKeyDuringGrace_AcceptsOldAndNewTokens()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        using (var first = await SendAsync(Check(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromMinutes(30));
        app.Clock.Advance(TimeSpan.FromMinutes(29));

        using var old = await SendAsync(Check(issued.Token));
        using var fresh = await SendAsync(Check(rotated.Token));
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

        using var response = await SendAsync(Check(issued.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Check(string token) =>
        new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read").WithBearer(token);

    [Fact]
    public async Task Check_KeysAndScopesInTurn_EachAnswerNamesItsOwnKeyAndScope()
    {
        // The check reuses its last parsed scope and formatted headers: alternating keys and
        // scopes must never answer with the previous request's.
        var owner = await app.NewUserAsync();
        var reader = await app.CreateKeyAsync(owner, ["orders:read"]);
        var writer = await app.CreateKeyAsync(owner, ["orders:write"]);

        for (var i = 0; i < 3; i++)
        {
            using var read = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read").WithBearer(reader.Token));
            using var write = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:write").WithBearer(writer.Token));
            using var crossed = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:write").WithBearer(reader.Token));

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
