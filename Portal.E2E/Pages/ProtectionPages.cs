using Microsoft.Playwright;

namespace Portal.E2E.Pages;

/// <summary>The "Protections" card of a key's page.</summary>
public sealed class KeyProtectionsCard(IPage page)
{
    private ILocator Card => page.Locator("[aria-label='Protections']");

    /// <summary>Adds a network (CIDR) to the key's IP allowlist and saves; waits for the saved message.</summary>
    public async Task AddToAllowlistAsync(string network)
    {
        await Card.GetByLabel("Add network").FillAsync(network);
        await Card.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Card.GetByTestId("ip-allowlist").GetByText(network, new() { Exact = true }).WaitForAsync();
        await Card.GetByRole(AriaRole.Button, new() { Name = "Save protections" }).ClickAsync();
        await page.GetByText("Protections saved", new() { Exact = false }).WaitForAsync();
    }
}
