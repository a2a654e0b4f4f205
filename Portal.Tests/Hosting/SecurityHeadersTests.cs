using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Organizations;
using Portal.Hosting;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;
using Portal.Tests.Web;

namespace Portal.Tests.Hosting;

/// <summary>
/// Every response carries the security headers, with the policy of what it is: a portal page, the
/// API reference, the jobs dashboard, or something that is not a page (JSON, the gateway doors).
/// </summary>
public sealed partial class SecurityHeadersTests(SqliteDoorApp app) : IClassFixture<SqliteDoorApp>
{
    [Fact]
    public async Task PortalPage_PolicyAdmitsItsImportMapByNonce_AndNothingInlineElse()
    {
        using var response = await Client().GetAsync("/account/login");
        var html = await response.Content.ReadAsStringAsync();

        AssertCommonHeaders(response);
        var policy = Policy(response);
        var nonce = Nonce().Match(policy).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Equal(SecurityHeaders.PortalPolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal), policy);
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", html, StringComparison.Ordinal);
        // Every other script is loaded from the portal itself.
        Assert.All(Scripts().Matches(html).Select(m => m.Value).Where(tag => !tag.Contains("importmap", StringComparison.Ordinal)),
            tag => Assert.Contains(" src=", tag, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PortalPage_NonceDiffersPerResponse()
    {
        using var first = await Client().GetAsync("/account/login");
        using var second = await Client().GetAsync("/account/login");

        Assert.NotEqual(Nonce().Match(Policy(first)).Groups[1].Value, Nonce().Match(Policy(second)).Groups[1].Value);
    }

    [Fact]
    public async Task ApiReference_HasItsOwnPolicy()
    {
        using var response = await Client().GetAsync("/api/docs/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertCommonHeaders(response);
        Assert.Equal(SecurityHeaders.ApiReferencePolicy, Policy(response));
    }

    [Fact]
    public async Task JobsDashboard_PlatformAdministrator_HasItsOwnPolicy_AnonymousRedirectStrict()
    {
        var admin = await SignedInPlatformAdministratorAsync();

        using var dashboard = await admin.GetAsync("/hangfire");
        using var anonymous = await Client().GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        AssertCommonHeaders(dashboard);
        Assert.Equal(SecurityHeaders.JobsDashboardPolicy, Policy(dashboard));
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        AssertCommonHeaders(anonymous);
        Assert.Equal(SecurityHeaders.NonPagePolicy, Policy(anonymous));
    }

    [Fact]
    public async Task ManagementApi_JsonAndProblem_StrictPolicy()
    {
        var user = await app.NewUserAsync();

        using var list = await user.Client.GetAsync("/api/v1/keys");
        using var unauthorized = await Client().GetAsync("/api/v1/keys");
        using var notFound = await user.Client.GetAsync($"/api/v1/keys/{Guid.NewGuid()}");

        foreach (var response in new[] { list, unauthorized, notFound })
        {
            AssertCommonHeaders(response);
            Assert.Equal(SecurityHeaders.NonPagePolicy, Policy(response));
        }

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task GatewayDoors_AllowedAndDenied_StrictPolicy()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var checkUrl = await app.CheckUrlAsync(owner, "orders:read");

        using var allowed = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, checkUrl).WithBearer(issued.Token));
        using var denied = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, checkUrl));
        using var extAuthz = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/1")));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        foreach (var response in new[] { allowed, denied, extAuthz })
        {
            AssertCommonHeaders(response);
            Assert.Equal(SecurityHeaders.NonPagePolicy, Policy(response));
        }
    }

    [Fact]
    public async Task NoPublicUrl_NoHsts_OnAnyOfThem()
    {
        using var page = await app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://keys.example.com") }).GetAsync("/account/login");

        Assert.Null(page.Header("Strict-Transport-Security"));
    }

    private HttpClient Client() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("DENY", response.Header("X-Frame-Options"));
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal("no-referrer", response.Header("Referrer-Policy"));
        Assert.Contains("frame-ancestors 'none'", Policy(response), StringComparison.Ordinal);
    }

    // One policy: a second header (Blazor's own frame-ancestors) would be enforced beside it.
    private static string Policy(HttpResponseMessage response) => Assert.Single(response.Headers.GetValues("Content-Security-Policy"));

    private async Task<HttpClient> SignedInPlatformAdministratorAsync()
    {
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(email, TestTenants.Password, actor: null, platformAdministrator: true);
        }

        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/account/login");
        using var signedIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalPagesTests.Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "login",
            ["Input.Email"] = email,
            ["Input.Password"] = TestTenants.Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return client;
    }

    [GeneratedRegex("'nonce-([A-Za-z0-9_-]{22})'")]
    private static partial Regex Nonce();

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex Scripts();
}
