using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// A developer registers their organization's API, opens the usage page, calls the API's gateway door with their key, and
/// sees the chart, the denials and the top keys move once the counts are flushed (every 5 s); after
/// a rotation, the key page names the client still sending the old token.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class UsageFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    [Fact]
    public async Task CheckedKey_MovesTheOrganizationUsageChart()
    {
        var email = $"usage-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(Page).RegisterAsync(email, "correct-horse-battery-staple");
        var token = await new KeysPage(Page).CreateKeyAsync("usage client", "orders:read");
        var apiId = await new ApisPage(Page).RegisterAsync("shop api", "test only");
        var usage = new UsagePage(Page);
        await usage.OpenFromMenuAsync();
        await Page.GetByText("No requests in this range").WaitForAsync();
        await Page.GetByText("No key was used in this range").WaitForAsync();
        // Endpoints and latency come from one query and appear together.
        await Page.GetByText("No logged requests in this range").First.WaitForAsync();
        Assert.Equal(2, await Page.GetByText("No logged requests in this range").CountAsync());
        await ScreenshotAsync("empty usage");

        using var gateway = Server.CreateClient();
        foreach (var (scope, expected) in new[] { ("orders:read", HttpStatusCode.OK), ("orders:read", HttpStatusCode.OK), ("orders:write", HttpStatusCode.Forbidden) })
        {
            // From loopback, a trusted proxy by default: the original URI is believed, and logged without its query.
            using var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId, scope));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("X-Original-Method", "GET");
            request.Headers.Add("X-Original-URI", "/orders/7?expand=lines");
            Assert.Equal(expected, (await gateway.SendAsync(request)).StatusCode);
        }

        // Counts reach the database within a flush interval: refresh until the chart shows them.
        for (var i = 0; i < 30 && !await ShowsAsync(usage.Totals, "2 allowed, 1 denied"); i++)
        {
            await usage.RefreshAsync();
            await Task.Delay(500);
        }

        Assert.Equal("2 allowed, 1 denied", (await usage.Totals.InnerTextAsync()).Trim());
        await Page.GetByRole(AriaRole.Cell, new() { Name = "INSUFFICIENT_SCOPE", Exact = true }).WaitForAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "usage client" }).WaitForAsync();
        await Page.GetByRole(AriaRole.Cell, new() { Name = "/orders/7", Exact = true }).WaitForAsync();
        await ScreenshotAsync("usage after checks");

        var csv = await Page.APIRequest.GetAsync(Page.Url.Replace("/usage", "/usage.csv?range=24h", StringComparison.Ordinal));
        Assert.True(csv.Ok);
        var text = await csv.TextAsync();
        Assert.StartsWith("bucket_start,allowed,denied", text);
        Assert.Contains(",2,1", text);

        await usage.ChooseRangeAsync("Last hour");
        await Page.GetByText("Per minute, UTC").WaitForAsync();
        Assert.Equal("2 allowed, 1 denied", (await usage.Totals.InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task RotatedKey_OldTokenStillSent_ListsTheClientOnTheKeyPage()
    {
        var email = $"rotation-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(Page).RegisterAsync(email, "correct-horse-battery-staple");
        var apiId = await new ApisPage(Page).RegisterAsync("shop api", "test only");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Keys", Exact = true }).ClickAsync();
        var keys = new KeysPage(Page);
        var old = await keys.CreateKeyAsync("rotating client", "orders:read");
        await keys.OpenAsync("rotating client");
        await new KeyDetailPage(Page).RotateAsync();
        await TokenDialog.CloseAsync(Page);
        await Page.GetByText("No request has used the old token since the rotation.").WaitForAsync();

        using var gateway = Server.CreateClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId, "orders:read")))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", old);
            request.Headers.UserAgent.ParseAdd("legacy-batch/2.0");
            Assert.Equal(HttpStatusCode.OK, (await gateway.SendAsync(request)).StatusCode);
        }

        // The authentication log is written in batches: refresh the panel until the client is listed.
        var client = Page.GetByRole(AriaRole.Cell, new() { Name = "legacy-batch/2.0", Exact = true });
        for (var i = 0; i < 30 && !await VisibleAsync(client); i++)
        {
            await Page.GetByRole(AriaRole.Button, new() { Name = "Refresh old token clients" }).ClickAsync();
            await Task.Delay(500);
        }

        await client.WaitForAsync();
        await Page.GetByRole(AriaRole.Cell, new() { Name = "127.0.0.1", Exact = true }).WaitForAsync();
        await ScreenshotAsync("old token clients");
    }

    private static async Task<bool> VisibleAsync(ILocator locator)
    {
        try
        {
            await locator.WaitForAsync(new() { Timeout = 1_000 });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task<bool> ShowsAsync(ILocator locator, string text)
    {
        try
        {
            await locator.WaitForAsync(new() { Timeout = 2_000 });
            return (await locator.InnerTextAsync()).Trim() == text;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
