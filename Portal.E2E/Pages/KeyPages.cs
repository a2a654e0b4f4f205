using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Pages;

/// <summary>The Keys page and its create and shown-once dialogs.</summary>
public sealed class KeysPage(IPage page)
{
    public ILocator Grid => page.GetByRole(AriaRole.Table);

    public async Task<string> CreateKeyAsync(string name, params string[] scopes)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync(name);
        foreach (var scope in scopes)
        {
            await dialog.GetByLabel("Scope", new() { Exact = true }).FillAsync(scope);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Add scope" }).ClickAsync();
        }

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        return await TokenDialog.ReadAndCloseAsync(page);
    }

    public async Task OpenAsync(string keyName)
    {
        await Grid.GetByRole(AriaRole.Link, new() { Name = keyName }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = keyName }).WaitForAsync();
    }
}

public static class TokenDialog
{
    /// <summary>Reads the token from the shown-once dialog, then confirms it was stored.</summary>
    public static async Task<string> ReadAndCloseAsync(IPage page, string? screenshot = null)
    {
        var secret = page.GetByTestId("revealed-secret");
        await secret.WaitForAsync();
        var token = (await secret.InnerTextAsync()).Trim();
        if (screenshot is not null)
        {
            await Infrastructure.BrowserFixture.ScreenshotAsync(page, screenshot);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "I have stored it" }).ClickAsync();
        await secret.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        return token;
    }
}

public sealed class KeyDetailPage(IPage page)
{
    public async Task<string> RotateAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        // The dialog's default grace period is 24 hours.
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickAsync();
        var secret = page.GetByTestId("revealed-secret");
        await secret.WaitForAsync();
        return (await secret.InnerTextAsync()).Trim();
    }

    public async Task RevokeAsync(string keyName)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = $"Revoke {keyName}" }).ClickAsync();
        await page.GetByText("revoked", new() { Exact = true }).First.WaitForAsync();
    }
}
