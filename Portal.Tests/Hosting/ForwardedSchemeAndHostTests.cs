using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

/// <summary>
/// Behind a TLS-terminating proxy: <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> are
/// believed from a trusted proxy (10.0.0.0/8 here) and ignored from anyone else, and the client
/// address is still read by the portal's own resolver from the direct peer.
/// </summary>
public sealed class ForwardedSchemeAndHostTests(SqliteDoorApp app) : IClassFixture<SqliteDoorApp>
{
    private const string TrustedProxy = "10.0.0.5";

    [Fact]
    public async Task TrustedProxy_ForwardedHttpsAndHost_LinksAreHttps_CookiesSecure()
    {
        using var redirect = await SendAsync("/hangfire", TrustedProxy);
        using var login = await SendAsync("/account/login", TrustedProxy);

        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("https://keys.example.com/account/login?", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.All(login.Headers.GetValues("Set-Cookie"), cookie => Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task UntrustedPeer_ForwardedHttpsAndHost_Ignored()
    {
        using var redirect = await SendAsync("/hangfire", DoorApp.DefaultPeer);
        using var login = await SendAsync("/account/login", DoorApp.DefaultPeer);

        Assert.StartsWith("http://localhost/account/login?", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.All(login.Headers.GetValues("Set-Cookie"), cookie => Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TrustedProxy_ForwardedScheme_ClientAddressStillFromForwardedFor()
    {
        var user = await app.NewUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(user.ManageToken)
            .WithRawHeader(DoorApp.PeerHeader, TrustedProxy)
            .WithRawHeader("X-Forwarded-For", "203.0.113.9")
            .WithRawHeader("X-Forwarded-Proto", "https");

        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logged = await app.WaitForLogAsync(q => q.Where(r => r.Door == Doors.Api && r.KeyHint == ApiKeyToken.Hint(user.ManageToken)));
        Assert.Equal("203.0.113.9", Assert.Single(logged).ClientIp);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string peer)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path)
            .WithRawHeader(DoorApp.PeerHeader, peer)
            .WithRawHeader("X-Forwarded-Proto", "https")
            .WithRawHeader("X-Forwarded-Host", "keys.example.com");
        return await client.SendAsync(request);
    }
}
