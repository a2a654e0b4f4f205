using System.Net;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// The header form's query is the gateway's configuration: other parameters are ignored, and a
/// scope that is empty, given twice or malformed is a 400 naming <c>scope</c>, never a 5xx.
/// </summary>
public abstract class GatewayCheckQueryTests(DoorApp app)
{
    [Theory]
    [InlineData("?x=1")]
    [InlineData("?foo")]
    [InlineData("?")]
    [InlineData("?a=b&c=d")]
    [InlineData("?scope[]=orders:read")]
    public async Task QueryWithoutScope_RulesDecide(string query)
    {
        var (owner, token) = await SetupAsync();

        using var response = await SendAsync(await app.CheckUrlAsync(owner) + query, token, "/orders/7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("?scope=")]
    [InlineData("?scope=%00")]
    [InlineData("?scope=orders:read&scope=orders:admin")]
    [InlineData("?scope=orders:read;x")]
    [InlineData("?scope=ORDERS")]
    public async Task MalformedScope_Is400NamingScope(string query)
    {
        var (owner, token) = await SetupAsync();

        using var response = await SendAsync(await app.CheckUrlAsync(owner) + query, token, "/orders/7");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("scope", out _));
    }

    [Fact]
    public async Task ForwardedTargetWithoutItsMethod_IsRefused()
    {
        var (owner, token) = await SetupAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner)).WithBearer(token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5").WithRawHeader("X-Original-URI", "/orders/7");

        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(ReasonCodes.PathNotCanonical, response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task ForwardedForHopWrittenAsMappedIPv6_IsUnmapped()
    {
        var path = $"/mapped/{Guid.NewGuid():N}";
        var (owner, _) = await SetupAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, path)).WithBearer(DoorTestKit.UnknownToken())
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5").WithRawHeader("X-Forwarded-For", "203.0.113.9, ::ffff:10.1.1.1");

        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal("203.0.113.9", Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path == path))).ClientIp);
    }

    private async Task<(TestUser Owner, string Token)> SetupAsync()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        return (owner, issued.Token);
    }

    private async Task<HttpResponseMessage> SendAsync(string url, string token, string target) =>
        await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5").WithRawHeader("X-Original-Method", "GET").WithRawHeader("X-Original-URI", target));
}

public sealed class SqliteGatewayCheckQueryTests(SqliteDoorApp app) : GatewayCheckQueryTests(app), IClassFixture<SqliteDoorApp>;
