using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Keys;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>The portal's pages over real HTTP: sign-in is required, and other tenants' ids are not found.</summary>
public sealed partial class PortalPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData("/orgs")]
    [InlineData("/orgs/0197a0a0-0000-7000-8000-000000000001/keys")]
    [InlineData("/orgs/0197a0a0-0000-7000-8000-000000000001/audit")]
    [InlineData("/account/manage")]
    public async Task Page_WithoutSignIn_RedirectsToLogin(string path)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString(path), response.Headers.Location.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnKeysPage_SignedIn_ShowsKeys()
    {
        var me = await app.NewUserAsync();
        var client = await SignInAsync(me);

        var page = await client.GetStringAsync($"/orgs/{me.OrganizationId}/keys");

        Assert.Contains("API keys", page);
        Assert.DoesNotContain("Not found", page);
    }

    [Fact]
    public async Task OtherTenantsOrganizationAndKey_ShowNotFound()
    {
        var me = await app.NewUserAsync();
        var other = await app.NewUserAsync();
        Guid otherKey;
        await using (var scope = app.Scope())
        {
            var page = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().ListAsync(other.Caller(), new KeyQuery());
            otherKey = page.Items[0].Id;
        }

        var client = await SignInAsync(me);

        foreach (var path in new[]
                 {
                     $"/orgs/{other.OrganizationId}/keys",
                     $"/orgs/{other.OrganizationId}/keys/{otherKey}",
                     $"/orgs/{me.OrganizationId}/keys/{otherKey}",
                     $"/orgs/{other.OrganizationId}/members",
                     $"/orgs/{other.OrganizationId}/audit",
                 })
        {
            var page = await client.GetNotFoundPageAsync(path);
            Assert.DoesNotContain("management", page);
        }
    }

    [Fact]
    public async Task Login_WrongPasswordFiveTimes_LocksOut()
    {
        var me = await app.NewUserAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        for (var i = 0; i < 5; i++)
        {
            await PostLoginAsync(client, me.User.Email!, "wrong password attempt");
        }

        var response = await PostLoginAsync(client, me.User.Email!, TestTenants.Password);
        Assert.Equal("/account/lockout", response.Headers.Location?.AbsolutePath);
    }

    internal async Task<HttpClient> SignInAsync(TestUser user)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await PostLoginAsync(client, user.User.Email!, TestTenants.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.AbsolutePath);
        return client;
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/account/login");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "login",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    internal static partial Regex Antiforgery();
}
