using System.Net;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// Which request the door decides on: the header form believes the original method and URI only
/// from a trusted proxy, one family at a time and each header once; the path form never reads
/// forwarding headers for method or path, and its query string never names a scope.
/// </summary>
public abstract class GatewayForwardingTrustTests(DoorApp app)
{
    [Fact]
    public async Task HeaderForm_ForwardedRequestFromTrustedProxy_IsDecided()
    {
        var (owner, token) = await SetupAsync();

        using var allowed = await CheckAsync(owner, token, "10.0.0.5", ("X-Original-Method", "GET"), ("X-Original-URI", "/orders/7"));
        using var denied = await CheckAsync(owner, token, "10.0.0.5", ("X-Original-Method", "DELETE"), ("X-Original-URI", "/orders/7"));
        using var traefik = await CheckAsync(owner, token, "10.0.0.5", ("X-Forwarded-Method", "DELETE"), ("X-Forwarded-Uri", "/orders/7"));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(ReasonCodes.InsufficientScope, denied.Header("X-Auth-Code"));
        Assert.Equal(ReasonCodes.InsufficientScope, traefik.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task HeaderForm_ForwardedRequestFromUntrustedPeer_IsIgnored()
    {
        var (owner, token) = await SetupAsync();

        // A client reaching the door directly claims a harmless request: the target is unknown, so rules cannot allow it.
        using var forged = await CheckAsync(owner, token, DoorApp.DefaultPeer, ("X-Original-Method", "GET"), ("X-Original-URI", "/orders/7"));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(ReasonCodes.PathNotCanonical, forged.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task HeaderForm_ForgedMethodFromUntrustedPeer_CannotTurnADeleteIntoAGet()
    {
        var (owner, token) = await SetupAsync();
        var url = await app.CheckUrlAsync(owner, "orders:read");

        // With a scope in the check URL the method plays no part; it must not be read from the client either way.
        using var request = new HttpRequestMessage(HttpMethod.Delete, url).WithBearer(token)
            .WithRawHeader("X-Original-Method", "GET").WithRawHeader(DoorApp.PeerHeader, DoorApp.DefaultPeer);
        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logged = await app.WaitForLogAsync(q => q.Where(r => r.KeyHint == Portal.Core.Keys.ApiKeyToken.Hint(token) && r.Method == "DELETE"));
        Assert.NotEmpty(logged);
    }

    [Theory]
    [InlineData("both families", "X-Original-URI", "/orders/7", "X-Forwarded-Uri", "/orders/7")]
    [InlineData("nginx URI twice", "X-Original-URI", "/orders/7", "X-Original-URI", "/admin")]
    [InlineData("Traefik method twice", "X-Forwarded-Method", "GET", "X-Forwarded-Method", "DELETE")]
    public async Task HeaderForm_AmbiguousForwarding_IsRefused(string name, string first, string firstValue, string second, string secondValue)
    {
        var (owner, token) = await SetupAsync();

        using var response = await CheckAsync(owner, token, "10.0.0.5", (first, firstValue), (second, secondValue));

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, name);
        Assert.Equal(ReasonCodes.PathNotCanonical, response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task HeaderForm_LoopbackPeer_IsTrustedByDefault()
    {
        var (owner, token) = await SetupAsync();

        using var response = await CheckAsync(owner, token, "127.0.0.1", ("X-Original-Method", "GET"), ("X-Original-URI", "/orders/7"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PathForm_IgnoresForwardingHeaders()
    {
        var (owner, token) = await SetupAsync();
        using var request = new HttpRequestMessage(HttpMethod.Delete, await app.ExtAuthzUrlAsync(owner, "/orders/7")).WithBearer(token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5")
            .WithRawHeader("X-Original-Method", "GET").WithRawHeader("X-Original-URI", "/orders/7")
            .WithRawHeader("X-Forwarded-Method", "GET").WithRawHeader("X-Forwarded-Uri", "/orders/7");

        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(ReasonCodes.InsufficientScope, response.Header("X-Auth-Code"));
    }

    [Theory]
    [InlineData("/?scope=orders:read")]
    [InlineData("/admin?scope=orders:read")]
    [InlineData("?scope=orders:read")]
    public async Task PathForm_ClientQuery_NeverNamesAScope(string target)
    {
        var (owner, token) = await SetupAsync();

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, target)).WithBearer(token));

        // The client's ?scope= is ignored: the rules decide, and none matches these paths.
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(ReasonCodes.NoMatchingRule, response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task PathForm_MethodAndPath_DecideThroughTheRules()
    {
        var (owner, token) = await SetupAsync();

        using var read = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/7?expand=lines")).WithBearer(token));
        using var delete = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Delete, await app.ExtAuthzUrlAsync(owner, "/orders/7")).WithBearer(token));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
    }

    private async Task<(TestUser Owner, string Token)> SetupAsync()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        await app.AddRuleAsync(owner, "DELETE", "/orders/{id}", "orders:admin");
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        return (owner, issued.Token);
    }

    private async Task<HttpResponseMessage> CheckAsync(TestUser owner, string token, string peer, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner)).WithBearer(token).WithRawHeader(DoorApp.PeerHeader, peer);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await app.AnonymousClient().SendAsync(request);
    }
}

public sealed class SqliteGatewayForwardingTrustTests(SqliteDoorApp app) : GatewayForwardingTrustTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlGatewayForwardingTrustTests(PostgreSqlDoorApp app) : GatewayForwardingTrustTests(app), IClassFixture<PostgreSqlDoorApp>;
