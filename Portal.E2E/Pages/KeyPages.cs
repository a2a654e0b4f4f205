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
        var token = await TokenDialog.ReadAsync(page);
        await TokenDialog.CloseAsync(page);
        return token;
    }

    public async Task OpenAsync(string keyName)
    {
        await Grid.GetByRole(AriaRole.Link, new() { Name = keyName }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = keyName }).WaitForAsync();
    }
}

public static class TokenDialog
{
    /// <summary>The secret in the shown-once dialog (a token or an invitation link).</summary>
    public static async Task<string> ReadAsync(IPage page)
    {
        var secret = page.GetByTestId("revealed-secret");
        await secret.WaitForAsync();
        return (await secret.InnerTextAsync()).Trim();
    }

    /// <summary>Confirms the secret was stored, which closes the dialog.</summary>
    public static async Task CloseAsync(IPage page, string button = "I have stored it")
    {
        await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        await page.GetByTestId("revealed-secret").WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }
}

public sealed class KeyDetailPage(IPage page)
{
    public async Task<string> RotateAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        // The dialog's default grace period is 24 hours.
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickAsync();
        return await TokenDialog.ReadAsync(page);
    }

    public async Task RevokeAsync(string keyName)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = $"Revoke {keyName}" }).ClickAsync();
        await page.GetByText("revoked", new() { Exact = true }).First.WaitForAsync();
    }
}
