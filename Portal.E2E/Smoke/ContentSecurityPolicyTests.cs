using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Smoke;

/// <summary>
/// The pages with policies of their own, the API reference and the jobs dashboard, render in
/// Chromium with their Content-Security-Policy in force, and the portal's own pages keep their
/// circuit; <see cref="PortalBrowserTest"/> fails any of them on a policy violation. The server is
/// this class's own, so its setup link is unused.
/// </summary>
public sealed partial class ContentSecurityPolicyTests(PortalServer server, BrowserFixture browser)
    : PortalBrowserTest(server, browser), IClassFixture<PortalServer>, IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task ApiReference_Anonymous_RendersTheOperations()
    {
        var response = await Page.GotoAsync("/api/docs/");

        Assert.Contains("frame-ancestors 'none'", (await response!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await Expect(Page.GetByText("Manage API keys and validate them for apps and gateways.").First).ToBeVisibleAsync();
        // Rendered by the reference's script from the document it fetched: the script ran and its fetch was admitted.
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Keys", Exact = true }).First).ToBeVisibleAsync();
        await ScreenshotAsync("api reference");
    }

    [Fact]
    public async Task PortalAndJobsDashboard_PlatformAdministrator_RenderAndStayInteractive()
    {
        var setupLink = (await Server.WaitForLogLineAsync(SetupLink())).Value;
        await new SetupPage(Page).CreateAdministratorAsync(setupLink, "admin@example.com", Password);

        // The circuit works (its WebSocket is admitted): a dialog opens and closes.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(Page.GetByRole(AriaRole.Dialog));
        await ScreenshotAsync("create key dialog");
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Page.GetByRole(AriaRole.Link, new() { Name = "Platform settings" }).ClickAsync();
        await Page.GetByText("Registration", new() { Exact = false }).First.WaitForAsync();
        await ScreenshotAsync("platform settings");

        var response = await Page.GotoAsync("/hangfire");
        Assert.Contains("frame-ancestors 'none'", (await response!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await Expect(Page.GetByText("API Key Portal jobs").First).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Recurring Jobs", Exact = false }).First.ClickAsync();
        await Expect(Page.GetByText("deliver-webhooks").First).ToBeVisibleAsync();
        await ScreenshotAsync("jobs dashboard");
    }

    [GeneratedRegex(@"http://\S+/setup/[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();
}
