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
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync("**/orgs/*/keys");
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
