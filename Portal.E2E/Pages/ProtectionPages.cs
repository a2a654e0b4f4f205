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

/// <summary>The key page's "Request signatures" card: the requirement switch, adding and revoking credentials.</summary>
public sealed class KeySigningCard(IPage page)
{
    private ILocator Card => page.Locator("[aria-label='Request signatures']");

    /// <summary>Turns "every request must be signed" on; waits for the saved message.</summary>
    public async Task RequireSignaturesAsync()
    {
        await Card.GetByRole(AriaRole.Switch, new() { Name = "Every request with this key must be signed" }).CheckAsync();
        await page.GetByText("must now be signed", new() { Exact = false }).WaitForAsync();
    }

    /// <summary>Adds an hmac-sha256 credential; returns its keyid and the secret the dialog shows once, and closes the dialog.</summary>
    public async Task<(string KeyId, string Secret)> AddHmacAsync()
    {
        await Card.GetByRole(AriaRole.Button, new() { Name = "Add signing credential" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        var secret = (await dialog.GetByTestId("revealed-secret").InnerTextAsync()).Trim();
        var label = await dialog.GetByText("Secret of keyid").InnerTextAsync();
        var keyId = label[(label.IndexOf('\u201c') + 1)..label.IndexOf('\u201d')];
        await dialog.GetByRole(AriaRole.Button, new() { Name = "I have stored it" }).ClickAsync();
        await Card.GetByRole(AriaRole.Cell, new() { Name = keyId, Exact = true }).WaitForAsync();
        return (keyId, secret);
    }

    /// <summary>Revokes the credential and confirms; waits until its row says revoked.</summary>
    public async Task RevokeAsync(string keyId)
    {
        await Card.GetByRole(AriaRole.Button, new() { Name = $"Revoke {keyId}" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Card.GetByRole(AriaRole.Row).Filter(new() { HasText = keyId }).GetByText("revoked", new() { Exact = false }).WaitForAsync();
    }
}
