using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Pages;

/// <summary>The "Report a leaked key" page.</summary>
public sealed class ReportLeakPage(IPage page)
{
    public ILocator Answer => page.GetByTestId("leak-answer");

    /// <summary>Opens the page from the link on the keys page, as a person finds it.</summary>
    public async Task OpenFromKeysPageAsync()
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Report a leaked key" }).ClickAsync();
        await page.WaitForURLAsync("**/keys/report-leak");
    }

    /// <summary>Reports a token from a freshly loaded page and returns the page's answer.</summary>
    /// <remarks>
    /// Each report starts from a new load of the page, as a person reporting a second find would,
    /// so that one report's answer cannot be mistaken for the next one's.
    /// </remarks>
    public async Task<string> ReportAsync(string token, string? where = null)
    {
        await page.GotoAsync("/keys/report-leak");
        // An empty report proves the circuit is connected: before that, typed text would be lost.
        await page.GetByRole(AriaRole.Button, new() { Name = "Report", Exact = true }).ClickUntilAsync(page.GetByText("Paste the token you found."));
        await page.GetByLabel("Token").FillAsync(token);
        if (where is not null)
        {
            await page.GetByLabel("Where you found it (optional)").FillAsync(where);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Report", Exact = true }).ClickAsync();
        await Answer.WaitForAsync();
        return (await Answer.InnerTextAsync()).Trim();
    }
}
