using Portal.Components;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Smoke;

[Collection(PortalCollection.Name)]
public sealed class HomePageTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    [Fact]
    public async Task Open_FreshServer_ShowsProductName()
    {
        var home = await new HomePage(Page).OpenAsync();

        await Expect(Page).ToHaveTitleAsync(ProductInfo.Name);
        await Expect(home.Heading).ToBeVisibleAsync();
        await Expect(home.AppBarTitle).ToBeVisibleAsync();
        await Expect(home.BrowseApiLink).ToBeVisibleAsync();
        await ScreenshotAsync("home");
    }
}
