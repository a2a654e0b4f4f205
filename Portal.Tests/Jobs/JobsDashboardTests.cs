using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;
using Portal.Tests.Web;

namespace Portal.Tests.Jobs;

/// <summary>The Hangfire dashboard at /hangfire: platform administrators only.</summary>
public sealed class JobsDashboardTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Dashboard_PlatformAdministrator_Returns200()
    {
        var client = await SignInAsync(await NewUserAsync(platformAdministrator: true));

        var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("API Key Portal jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hangfire/recurring")).StatusCode);
    }

    [Fact]
    public async Task Dashboard_SignedInUserWithoutRole_Returns403()
    {
        var client = await SignInAsync(await NewUserAsync(platformAdministrator: false));

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/hangfire/recurring")).StatusCode);
    }

    [Fact]
    public async Task Dashboard_Anonymous_RedirectsToSignIn()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_ApiKey_IsNotAPlatformAdministrator()
    {
        var user = await app.NewUserAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.ManageToken);

        var response = await client.GetAsync("/hangfire");

        // The dashboard only trusts the portal's sign-in cookie: a key is sent to sign in like anyone anonymous.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private async Task<(string Email, string Password)> NewUserAsync(bool platformAdministrator)
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(email, TestTenants.Password, actor: null, platformAdministrator: platformAdministrator);
        return (email, TestTenants.Password);
    }

    private async Task<HttpClient> SignInAsync((string Email, string Password) user)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/account/login");
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalPagesTests.Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "login",
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
