using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// What a person does on a fresh install, in order: first-start setup, a developer who registers
/// and manages a key, and an admin who invites the developer and sees their key. One screenshot per step.
/// </summary>
public sealed class KeyLifecycleFlowTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task FreshInstall_SetupRegisterManageKeysAndInvite_Works()
    {
        var server = browser.Server;
        using var api = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };

        // First start: the link from the log creates the platform administrator, then is gone.
        var admin = await browser.NewPageAsync();
        var setupLink = await server.SetupLinkAsync();
        await new SetupPage(admin).CreateAdministratorAsync(setupLink, "admin@example.com", Password);
        await BrowserFixture.ScreenshotAsync(admin, "01-admin-created");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(setupLink)).StatusCode);

        // A developer registers and creates a key that may manage keys.
        var developer = await browser.NewPageAsync();
        await new RegisterPage(developer).RegisterAsync("dev@example.com", Password);
        await BrowserFixture.ScreenshotAsync(developer, "02-developer-registered");
        var keys = new KeysPage(developer);
        await developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(developer.GetByRole(AriaRole.Dialog));
        var dialog = developer.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("deploy bot");
        await dialog.GetByLabel("Scope", new() { Exact = true }).FillAsync("keys:manage");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Add scope" }).ClickAsync();
        await BrowserFixture.ScreenshotAsync(developer, "03-create-key-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        var token = await TokenDialog.ReadAndCloseAsync(developer, "04-token-shown-once");
        Assert.StartsWith("pk_test_", token);
        await keys.Grid.GetByRole(AriaRole.Link, new() { Name = "deploy bot" }).WaitForAsync();
        await BrowserFixture.ScreenshotAsync(developer, "05-keys-grid");

        // The management API accepts the token.
        Assert.Equal(HttpStatusCode.OK, (await ListKeysAsync(api, token)).StatusCode);

        // Rotation with a grace period: both tokens work, and the page lists both.
        await keys.OpenAsync("deploy bot");
        var detail = new KeyDetailPage(developer);
        var rotated = await detail.RotateAsync();
        await BrowserFixture.ScreenshotAsync(developer, "06-rotated-token");
        await developer.GetByRole(AriaRole.Button, new() { Name = "I have stored it" }).ClickAsync();
        await developer.GetByText("grace period", new() { Exact = false }).First.WaitForAsync();
        await BrowserFixture.ScreenshotAsync(developer, "07-grace-period");
        Assert.NotEqual(token, rotated);
        Assert.Equal(HttpStatusCode.OK, (await ListKeysAsync(api, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ListKeysAsync(api, rotated)).StatusCode);

        // An admin creates an organization and invites the developer.
        await new OrganizationsPage(admin).CreateAsync("Acme");
        var link = await new MembersPage(admin).InviteAsync("dev@example.com");

        await developer.GotoAsync(link);
        await developer.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" }).ClickAsync();
        await developer.WaitForURLAsync("**/orgs/*/keys");
        await new KeysPage(developer).CreateKeyAsync("acme worker", "orders:read");
        await BrowserFixture.ScreenshotAsync(developer, "09-developer-key-in-acme");

        await admin.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await admin.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = "acme worker" }).WaitForAsync();
        await BrowserFixture.ScreenshotAsync(admin, "10-admin-sees-developer-key");

        // Revocation: both tokens of the first key are refused at once.
        await developer.GotoAsync("/");
        await developer.WaitForURLAsync("**/orgs/*/keys");
        await keys.OpenAsync("deploy bot");
        await detail.RevokeAsync("deploy bot");
        await BrowserFixture.ScreenshotAsync(developer, "11-revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await ListKeysAsync(api, token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ListKeysAsync(api, rotated)).StatusCode);
    }

    private static Task<HttpResponseMessage> ListKeysAsync(HttpClient api, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api.SendAsync(request);
    }
}
