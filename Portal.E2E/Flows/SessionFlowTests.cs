using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// Sessions that end, with two browsers: signing out in one ends a copy of its cookie in the other
/// (and that browser's open page loses its rights), and a password change in one ends the other's
/// session, whose open page is sent to sign in within seconds.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class SessionFlowTests : PortalBrowserTest
{
    // The second browser of each test comes from the same fixture as the first.
    private readonly BrowserFixture _browsers;

    public SessionFlowTests(PortalServer server, BrowserFixture browser)
        : base(server, browser) => _browsers = browser;

    private const string Password = "correct-horse-battery-staple";

    // The circuit asks every Sessions:RevalidationSeconds (5 s); this leaves room for a slow machine.
    private static readonly PageWaitForURLOptions WithinSeconds = new() { Timeout = 30_000 };

    [Fact]
    public async Task SignOut_EndsACopiedCookie_AndItsOpenPage()
    {
        var email = $"sessions-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(Page).RegisterAsync(email, Password);
        var keysPage = Page.Url;
        await using var thief = await _browsers.NewContextAsync(Server.BaseAddress);
        await thief.AddCookiesAsync((await Context.CookiesAsync()).Where(c => c.Name == "portal.session").Select(Copy));
        var stolen = await thief.NewPageAsync();
        await stolen.GotoAsync(keysPage);
        await stolen.GetByRole(AriaRole.Heading, new() { Name = "API keys" }).WaitForAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = email }).ClickUntilAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).First.WaitForAsync();

        // The page open with the copied cookie loses its rights at the circuit's next check.
        await stolen.WaitForURLAsync("**/account/login**", WithinSeconds);
        await stolen.GotoAsync("/account/manage");
        await stolen.WaitForURLAsync("**/account/login**");
        await ScreenshotAsync("signed out everywhere");
    }

    [Fact]
    public async Task ChangePassword_InOneBrowser_EndsTheOther()
    {
        var email = $"sessions-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(Page).RegisterAsync(email, Password);
        await using var laptop = await _browsers.NewContextAsync(Server.BaseAddress);
        var other = await laptop.NewPageAsync();
        await new LoginPage(other).SignInAsync(email, Password);
        await other.WaitForURLAsync("**/orgs/*/keys");

        await Page.GotoAsync("/account/manage");
        await Page.GetByRole(AriaRole.List, new() { Name = "Sessions" }).GetByRole(AriaRole.Listitem).Nth(1).WaitForAsync();
        await ScreenshotAsync("two sessions");
        await Page.GetByLabel("Current password").FillAsync(Password);
        await Page.GetByLabel("New password", new() { Exact = true }).FillAsync("a-brand-new-password");
        await Page.GetByLabel("Confirm new password").FillAsync("a-brand-new-password");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Page.GetByText("Your password was changed.").WaitForAsync();

        // The other browser's open page is sent to sign in; this one stays signed in.
        await other.WaitForURLAsync("**/account/login**", WithinSeconds);
        await Page.GotoAsync("/account/manage");
        await Page.GetByText("This browser").WaitForAsync();
        Assert.Equal(1, await Page.GetByRole(AriaRole.List, new() { Name = "Sessions" }).GetByRole(AriaRole.Listitem).CountAsync());
        await ScreenshotAsync("one session left");
    }

    private static Cookie Copy(BrowserContextCookiesResult cookie) => new()
    {
        Name = cookie.Name,
        Value = cookie.Value,
        Domain = cookie.Domain,
        Path = cookie.Path,
        HttpOnly = cookie.HttpOnly,
        Secure = cookie.Secure,
        SameSite = cookie.SameSite,
    };
}
