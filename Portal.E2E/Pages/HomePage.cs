using Microsoft.Playwright;
using Portal.Components;

namespace Portal.E2E.Pages;

/// <summary>The landing page at <c>/</c>: the product's name, what it does, and where to go next.</summary>
public sealed class HomePage(IPage page)
{
    public const string Path = "/";

    /// <summary>The page's own heading, not the app bar's title of the same text.</summary>
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = ProductInfo.Name, Level = 3 });

    /// <summary>The product name in the app bar, shown on every page.</summary>
    public ILocator AppBarTitle => page.GetByRole(AriaRole.Banner).GetByText(ProductInfo.Name, new() { Exact = true });

    public ILocator BrowseApiLink => page.GetByRole(AriaRole.Link, new() { Name = "Browse the API" });

    public async Task<HomePage> OpenAsync()
    {
        await page.GotoAsync(Path);
        return this;
    }
}
