using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// What people do on a fresh install, in order: first-start setup, a developer who registers and
/// manages a key, and an admin who invites the developer and sees their key. The server is this
/// class's own: the shared one may already be set up.
/// </summary>
public sealed partial class KeyLifecycleFlowTests(PortalServer server, BrowserFixture browser)
    : PortalBrowserTest(server, browser), IClassFixture<PortalServer>, IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery-staple";

    private readonly BrowserFixture _browser = browser;

    [Fact]
    public async Task FreshInstall_SetupRegisterManageKeysAndInvite_Works()
    {
        using var api = Server.CreateClient();
        var admin = Page;

        // First start: the link from the log creates the platform administrator, then is gone.
        var setupLink = (await Server.WaitForLogLineAsync(SetupLink())).Value;
        await new SetupPage(admin).CreateAdministratorAsync(setupLink, "admin@example.com", Password);
        await ScreenshotAsync("admin created");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(setupLink)).StatusCode);

        // A developer registers (in a browser of their own) and creates a key that may manage keys.
        await using var developerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var developer = await developerContext.NewPageAsync();
        var developerShots = new StepScreenshots(nameof(KeyLifecycleFlowTests), "developer");
        await new RegisterPage(developer).RegisterAsync("dev@example.com", Password);
        await developerShots.SaveAsync(developer, "registered");
        var keys = new KeysPage(developer);
        await developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(developer.GetByRole(AriaRole.Dialog));
        var dialog = developer.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("deploy bot");
        await dialog.GetByLabel("Scope", new() { Exact = true }).FillAsync("keys:manage");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Add scope" }).ClickAsync();
        await developerShots.SaveAsync(developer, "create key dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        var token = await TokenDialog.ReadAsync(developer);
        await developerShots.SaveAsync(developer, "token shown once");
        await TokenDialog.CloseAsync(developer);
        Assert.StartsWith("pk_test_", token);
        await keys.Grid.GetByRole(AriaRole.Link, new() { Name = "deploy bot" }).WaitForAsync();
        await developerShots.SaveAsync(developer, "keys grid");

        // The management API accepts the token.
        Assert.Equal(HttpStatusCode.OK, (await ListKeysAsync(api, token)).StatusCode);

        // Rotation with a grace period: both tokens work, and the page lists both.
        await keys.OpenAsync("deploy bot");
        var detail = new KeyDetailPage(developer);
        var rotated = await detail.RotateAsync();
        await developerShots.SaveAsync(developer, "rotated token");
        await TokenDialog.CloseAsync(developer);
        await developer.GetByText("grace period", new() { Exact = false }).First.WaitForAsync();
        await developerShots.SaveAsync(developer, "grace period");
        Assert.NotEqual(token, rotated);
        Assert.Equal(HttpStatusCode.OK, (await ListKeysAsync(api, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ListKeysAsync(api, rotated)).StatusCode);

        // An admin creates an organization and invites the developer, who accepts and creates a key there.
        await new OrganizationsPage(admin).CreateAsync("Acme");
        var link = await new MembersPage(admin).InviteAsync("dev@example.com");
        await ScreenshotAsync("invitation link");
        await TokenDialog.CloseAsync(admin, "Done");

        await developer.GotoAsync(link);
        await developer.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" }).ClickUntilAsync(developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await keys.CreateKeyAsync("acme worker", "orders:read");
        await developerShots.SaveAsync(developer, "key in acme");

        await admin.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await admin.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = "acme worker" }).WaitForAsync();
        await ScreenshotAsync("admin sees the developer's key");

        // Revocation: both tokens of the first key are refused at once.
        await developer.GotoAsync("/");
        await developer.WaitForURLAsync("**/orgs/*/keys");
        await keys.OpenAsync("deploy bot");
        await detail.RevokeAsync("deploy bot");
        await developerShots.SaveAsync(developer, "revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await ListKeysAsync(api, token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ListKeysAsync(api, rotated)).StatusCode);
    }

    private static Task<HttpResponseMessage> ListKeysAsync(HttpClient api, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/keys");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api.SendAsync(request);
    }

    [GeneratedRegex(@"http://\S+/setup/[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();
}
