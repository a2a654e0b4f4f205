using Microsoft.Playwright;

namespace Portal.E2E.Pages;

/// <summary>The first-start page that creates the platform administrator.</summary>
public sealed class SetupPage(IPage page)
{
    public async Task CreateAdministratorAsync(string setupLink, string email, string password)
    {
        await page.GotoAsync(setupLink);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
        await page.WaitForURLAsync("**/orgs/*/keys");
    }
}

public sealed class RegisterPage(IPage page)
{
    public async Task RegisterAsync(string email, string password)
    {
        await page.GotoAsync("/account/register");
        await FillAndSubmitAsync(email, password);
        await page.WaitForURLAsync("**/orgs/*/keys");
    }

    /// <summary>Fills the form on the page as it is (e.g. reached from an invitation) and submits it.</summary>
    public async Task FillAndSubmitAsync(string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
    }
}

public sealed class LoginPage(IPage page)
{
    public async Task SignInAsync(string email, string password, string? returnUrl = null)
    {
        await page.GotoAsync(returnUrl is null ? "/account/login" : $"/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}

/// <summary>The platform administrator's settings page (registration open or by invitation only).</summary>
public sealed class PlatformSettingsPage(IPage page)
{
    public async Task SetRegistrationAsync(string choice, string inForce)
    {
        await page.GotoAsync("/platform/settings");
        var radio = page.GetByRole(AriaRole.Radio, new() { Name = choice });
        var saved = page.GetByTestId("registration-in-force").GetByText(inForce, new() { Exact = true });
        // A prerendered page shows its controls before the circuit is connected: a choice made then is lost.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await radio.CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
            try
            {
                await saved.WaitForAsync(new() { Timeout = 1_500 });
                return;
            }
            catch (TimeoutException)
            {
            }
        }

        await saved.WaitForAsync();
    }
}
