using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// A key's owner gives their key an IP allowlist on the key page (self-serve); the gateway door then
/// refuses the key from an address outside it (403 IP_NOT_ALLOWED) and allows it from inside, and the
/// owner finds the refusal, with the client's address, in the authentication log.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class IpAllowlistFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    [Fact]
    public async Task OwnerAddsAllowlistEntry_OutsideAddressIsRefusedAndLogged()
    {
        await new RegisterPage(Page).RegisterAsync($"allowlist-{Guid.NewGuid():N}@example.com", "correct-horse-battery-staple");
        var token = await new KeysPage(Page).CreateKeyAsync("edge client", "orders:read");
        var apiId = await new ApisPage(Page).RegisterAsync("edge api", "live and test");
        var organization = Page.Url[..Page.Url.IndexOf("/apis", StringComparison.Ordinal)];

        await Page.GotoAsync($"{organization}/keys");
        await new KeysPage(Page).OpenAsync("edge client");
        await new KeyProtectionsCard(Page).AddToAllowlistAsync("203.0.113.0/24");
        await ScreenshotAsync("allowlist saved");

        // Loopback is a trusted proxy by default, so the door takes the client's address from X-Forwarded-For, as behind nginx.
        var outside = await CheckFromAsync(apiId, token, "198.51.100.7");
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Equal("IP_NOT_ALLOWED", outside.Headers.TryGetValues("X-Auth-Code", out var codes) ? codes.Single() : null);
        Assert.Equal(HttpStatusCode.OK, (await CheckFromAsync(apiId, token, "203.0.113.9")).StatusCode);

        // The log is written in batches: reload until the refusal is there.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Authentication log of this key" }).ClickAsync();
        await Page.GetByRole(AriaRole.Heading, new() { Name = "Authentication log" }).WaitForAsync();
        var logUrl = Page.Url;
        var refusal = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "IP_NOT_ALLOWED" });
        await UntilAsync(async () =>
        {
            await Page.GotoAsync(logUrl);
            return await AppearsAsync(refusal);
        });
        await Assertions.Expect(refusal.First).ToContainTextAsync("198.51.100.7");
        await Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "203.0.113.9" }).Filter(new() { HasText = "VALID" }).First.WaitForAsync();
        await ScreenshotAsync("refusal in the log");
    }

    private async Task<HttpResponseMessage> CheckFromAsync(string apiId, string token, string clientAddress)
    {
        using var gateway = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId, "orders:read"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Original-Method", "GET");
        request.Headers.Add("X-Original-URI", "/orders/42");
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return await gateway.SendAsync(request);
    }

    // The grid loads after the page becomes interactive: give each try a moment.
    private static async Task<bool> AppearsAsync(ILocator locator)
    {
        try
        {
            await locator.First.WaitForAsync(new() { Timeout = 3_000 });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 20; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail("The page never showed what was expected.");
    }
}
