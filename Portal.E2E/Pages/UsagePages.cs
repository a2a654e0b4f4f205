using Microsoft.Playwright;

namespace Portal.E2E.Pages;

/// <summary>An organization's (or a key's) usage charts.</summary>
public sealed class UsagePage(IPage page)
{
    public ILocator Totals => page.GetByTestId("usage-totals");

    public async Task OpenFromMenuAsync()
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Usage", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Usage", Exact = true }).WaitForAsync();
    }

    public Task RefreshAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Refresh usage" }).ClickAsync();

    public Task ChooseRangeAsync(string label) => page.GetByRole(AriaRole.Button, new() { Name = label, Exact = true }).ClickAsync();
}
