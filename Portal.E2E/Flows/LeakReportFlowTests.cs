using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// A person finds another developer's token and reports it on the portal: the page answers the same
/// for that token as for garbage, the key is revoked at once, and its owner sees why in the bell.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class LeakReportFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    private const string Password = "correct-horse-battery-staple";

    private readonly BrowserFixture _browser = browser;

    [Fact]
    public async Task ReportedToken_IsRevoked_TheReporterLearnsNothing_AndTheOwnerIsTold()
    {
        var owner = Page;
        await new RegisterPage(owner).RegisterAsync($"leak-owner-{Guid.NewGuid():N}@example.com", Password);
        var token = await new KeysPage(owner).CreateKeyAsync("ci deploy", "keys:manage");

        await using var finderContext = await _browser.NewContextAsync(Server.BaseAddress);
        var finder = await finderContext.NewPageAsync();
        var finderShots = new StepScreenshots(nameof(LeakReportFlowTests), "finder");
        await new RegisterPage(finder).RegisterAsync($"leak-finder-{Guid.NewGuid():N}@example.com", Password);
        var report = new ReportLeakPage(finder);
        await report.OpenFromKeysPageAsync();
        var forGarbage = await report.ReportAsync("pk_live_this-is-not-a-token");
        var forToken = await report.ReportAsync(token, "https://github.com/someone/repo/blob/main/.env");
        await finderShots.SaveAsync(finder, "reported");

        Assert.Equal(forGarbage, forToken);
        Assert.StartsWith("Thank you. If this token belongs to a key", forToken);

        await owner.ReloadAsync();
        var unread = owner.Locator("button[aria-label='Notifications, 1 unread']");
        await unread.WaitForAsync();
        await unread.ClickUntilAsync(owner.GetByText("was revoked", new() { Exact = false }));
        await ScreenshotAsync("owner told");
        Assert.Contains("ci deploy", await owner.GetByText("was revoked", new() { Exact = false }).InnerTextAsync());
        using var api = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys");
        request.Headers.Authorization = new("Bearer", token);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.SendAsync(request)).StatusCode);
    }
}
