using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;
using Portal.Tests.Web;

namespace Portal.Tests.Hosting;

/// <summary>
/// With <c>PublicUrl</c> set to an https address: the setup link is printed on it, cookies are
/// always <c>Secure</c>, and https responses carry HSTS.
/// </summary>
public sealed class PublicUrlTests(PublicUrlApp app) : IClassFixture<PublicUrlApp>
{
    [Fact]
    public async Task SetupLink_PublicUrlSet_IsLoggedOnThePublicUrl()
    {
        Assert.NotNull(app.Services); // starts the app, which announces the link once it runs
        var link = await SetupLinkTests.SetupLinkAsync(app);

        Assert.Contains(app.Logs.Lines, line => line.Contains($"Open {PublicUrlApp.Url}{link} to create one.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cookies_PublicUrlHttps_SecureEvenOnAPlainHttpRequest()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://localhost") });

        using var login = await client.GetAsync("/account/login");

        var cookies = login.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, cookie => Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Hsts_PublicUrlHttps_SentOnHttpsResponses_NotOnHttp()
    {
        var https = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(PublicUrlApp.Url) });
        var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://keys.example.com") });

        using var secure = await https.GetAsync("/account/login");
        using var plain = await http.GetAsync("/account/login");

        Assert.Equal("max-age=31536000", secure.Header("Strict-Transport-Security"));
        // RFC 6797 8.1: a host sends it only over a secure transport.
        Assert.Null(plain.Header("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Hsts_BehindTrustedProxyForwardingHttps_Sent()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://keys.example.com") });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login")
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5")
            .WithRawHeader("X-Forwarded-Proto", "https");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000", response.Header("Strict-Transport-Security"));
    }
}

/// <summary>Without <c>PublicUrl</c>, no HSTS, even over https: the portal does not know it is always reached that way.</summary>
public sealed class PublicUrlUnsetTests(SqliteDoorApp app) : IClassFixture<SqliteDoorApp>
{
    [Fact]
    public async Task Hsts_NoPublicUrl_NotSentEvenOverHttps()
    {
        var https = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://keys.example.com") });

        using var response = await https.GetAsync("/account/login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Header("Strict-Transport-Security"));
    }

    [Fact]
    public async Task SetupLink_NoPublicUrl_IsLoggedAsToday()
    {
        Assert.NotNull(app.Services); // starts the app, which announces the link once it runs
        var link = await SetupLinkTests.SetupLinkAsync(app);

        // The test server listens nowhere, so the link is the bare path; a real server prints its own address.
        Assert.Contains(app.Logs.Lines, line => line.Contains($"Open {link} to create one.", StringComparison.Ordinal));
    }
}
