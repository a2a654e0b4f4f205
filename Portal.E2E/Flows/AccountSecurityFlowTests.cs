using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>Two-factor sign-in with an authenticator app, and the audit log of an organization admin.</summary>
[Collection(PortalCollection.Name)]
public sealed class AccountSecurityFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task TwoFactor_EnableSignOutSignIn_AndAuditLog()
    {
        var page = Page;
        var email = $"owner-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(page).RegisterAsync(email, Password);

        // Turn on TOTP with the key the page shows, as an authenticator app would.
        await page.GotoAsync("/account/manage/two-factor");
        var key = (await page.GetByLabel("Authenticator key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        Assert.StartsWith("otpauth://totp/", (await page.GetByLabel("Authenticator link").InnerTextAsync()).Trim());
        await ScreenshotAsync("two-factor setup");
        await page.GetByLabel("Verification code").FillAsync(Totp.Code(key));
        await page.GetByLabel("Your password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await page.GetByLabel("Recovery codes").WaitForAsync();
        await ScreenshotAsync("recovery codes");

        // Sign out through the user menu, then sign in again with password and code.
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = email }).ClickUntilAsync(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).First.WaitForAsync();
        await new LoginPage(page).SignInAsync(email, Password);
        await page.WaitForURLAsync("**/account/login-2fa**");
        // A code is accepted once: the next step's code, which the server takes a step early.
        await page.GetByLabel("Authenticator code").FillAsync(Totp.Code(key, stepOffset: 1));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.WaitForURLAsync("**/orgs/*/keys");

        // The audit log lists what happened in the organization.
        await new OrganizationsPage(page).CreateAsync("Globex");
        await page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await new KeysPage(page).CreateKeyAsync("reporting", "reports:read");
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = "key.created" }).WaitForAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = "organization.created" }).WaitForAsync();
        await ScreenshotAsync("audit log");
    }
}
