using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>A server left as a new installation: registration by invitation only.</summary>
public sealed class InvitationOnlyPortalServer : PortalServer
{
    protected override bool OpenRegistration => false;
}

/// <summary>
/// A new installation is invitation-only: a stranger cannot sign up, an invited address can,
/// through its invitation link; the platform administrator can open registration.
/// </summary>
public sealed partial class RegistrationFlowTests(InvitationOnlyPortalServer server, BrowserFixture browser)
    : PortalBrowserTest(server, browser), IClassFixture<InvitationOnlyPortalServer>, IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery-staple";

    private readonly BrowserFixture _browser = browser;

    [Fact]
    public async Task InvitationOnly_StrangerRefused_InvitedAddressRegistersThroughLink_AdminOpensRegistration()
    {
        var admin = Page;
        var setupLink = (await Server.WaitForLogLineAsync(SetupLink())).Value;
        await new SetupPage(admin).CreateAdministratorAsync(setupLink, "admin@example.com", Password);

        // A stranger finds no form on the sign-up page.
        await using var strangerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var stranger = await strangerContext.NewPageAsync();
        var strangerShots = new StepScreenshots(nameof(RegistrationFlowTests), "stranger");
        await stranger.GotoAsync("/account/register");
        await stranger.GetByText("Registration is by invitation only.", new() { Exact = false }).WaitForAsync();
        Assert.Equal(0, await stranger.GetByRole(AriaRole.Button, new() { Name = "Create account" }).CountAsync());
        await strangerShots.SaveAsync(stranger, "invitation only");

        // The admin invites an address.
        await new OrganizationsPage(admin).CreateAsync("Invited Co");
        var link = await new MembersPage(admin).InviteAsync("invited@example.com");
        await TokenDialog.CloseAsync(admin, "Done");

        // The invitation link leads through sign-in to the sign-up page, which carries the invitation.
        await using var inviteeContext = await _browser.NewContextAsync(Server.BaseAddress);
        var invitee = await inviteeContext.NewPageAsync();
        var inviteeShots = new StepScreenshots(nameof(RegistrationFlowTests), "invitee");
        await invitee.GotoAsync(link);
        await invitee.WaitForURLAsync("**/account/login**");
        await invitee.GetByRole(AriaRole.Link, new() { Name = "Create one" }).ClickAsync();
        await invitee.WaitForURLAsync(new Regex(@"/account/register\?.*invitation="));
        await Assertions.Expect(invitee.GetByLabel("Email")).ToHaveValueAsync("invited@example.com");
        await inviteeShots.SaveAsync(invitee, "sign-up from invitation");

        // Another address is refused with the invitation in hand; the invited one is accepted.
        var form = new RegisterPage(invitee);
        await form.FillAndSubmitAsync("someone-else@example.com", Password);
        await invitee.GetByText("This invitation is for invited@example.com", new() { Exact = false }).WaitForAsync();
        await inviteeShots.SaveAsync(invitee, "other address refused");
        await form.FillAndSubmitAsync("invited@example.com", Password);
        await invitee.GetByRole(AriaRole.Heading, new() { Name = "Join Invited Co" }).WaitForAsync();
        await invitee.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" })
            .ClickUntilAsync(invitee.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await inviteeShots.SaveAsync(invitee, "joined");

        // The platform administrator opens registration; now the stranger can sign up.
        await admin.GetByRole(AriaRole.Link, new() { Name = "Platform settings" }).ClickAsync();
        await new PlatformSettingsPage(admin).SetRegistrationAsync("Open: anyone can create an account", "open");
        await ScreenshotAsync("registration open");
        await new RegisterPage(stranger).RegisterAsync("stranger@example.com", Password);
        await strangerShots.SaveAsync(stranger, "registered");
    }

    [GeneratedRegex(@"http://\S+/setup/[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();
}
