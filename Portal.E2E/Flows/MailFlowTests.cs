using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;
using Portal.Tests.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>
/// A new installation (invitation-only) with mail on: its <c>Mail</c> settings name a real SMTP
/// server on loopback (<see cref="SmtpSink"/>), and <c>PublicUrl</c> a name that is not the
/// server's address, so that the tests prove the links come from it (they open the links' path
/// and query on the server).
/// </summary>
public sealed class MailPortalServer : PortalServer, IAsyncLifetime
{
    public const string PublicUrl = "http://portal.test";

    public SmtpSink Smtp { get; } = SmtpSink.Start();

    protected override bool OpenRegistration => false;

    protected override void ConfigureEnvironment(IDictionary<string, string?> environment)
    {
        environment["PublicUrl"] = PublicUrl;
        environment["Mail__Host"] = "127.0.0.1";
        environment["Mail__Port"] = Smtp.Port.ToString(CultureInfo.InvariantCulture);
        environment["Mail__Security"] = "None";
        environment["Mail__From"] = "Key Portal <keys@portal.test>";
    }

    // Re-implements IAsyncLifetime: the base class's DisposeAsync is not virtual.
    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Smtp.Dispose();
    }
}

/// <summary>
/// Mail on, in the browser: the invitation reaches the invited mailbox only; whoever registers the
/// invited address from a leaked link cannot sign in without the mailbox; the mailbox's owner
/// confirms, signs in and joins.
/// </summary>
public sealed partial class MailFlowTests(MailPortalServer server, BrowserFixture browser)
    : PortalBrowserTest(server, browser), IClassFixture<MailPortalServer>, IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery-staple";

    private readonly BrowserFixture _browser = browser;

    private SmtpSink Smtp => server.Smtp;

    [Fact]
    public async Task Invitation_MailedToTheAddress_StrangerWithLeakedLinkStuck_OwnerConfirmsAndJoins()
    {
        var admin = Page;
        var setupLink = (await Server.WaitForLogLineAsync(SetupLink())).Value;
        // The setup page's own link is on PublicUrl too.
        await new SetupPage(admin).CreateAdministratorAsync(OnServer(new Uri(setupLink)), "admin@example.com", Password);
        await new OrganizationsPage(admin).CreateAsync("Mail Co");

        // Invited: the page says it was mailed and shows no link; the mail holds it.
        await new MembersPage(admin).InviteByMailAsync("leaked@example.com");
        await ScreenshotAsync("invitation mailed");
        Assert.Equal(0, await admin.GetByTestId("revealed-secret").CountAsync());
        var leaked = SmtpSink.LinkIn(await Smtp.WaitForMailAsync("leaked@example.com"), MailPortalServer.PublicUrl + "/invitations/");

        // A stranger holding the leaked link registers the invited address, and is stuck there.
        await using var strangerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var stranger = await strangerContext.NewPageAsync();
        var strangerShots = new StepScreenshots(nameof(MailFlowTests), "stranger");
        await stranger.GotoAsync(OnServer(leaked));
        await stranger.WaitForURLAsync("**/account/login**");
        await stranger.GetByRole(AriaRole.Link, new() { Name = "Create one" }).ClickAsync();
        // The sign-up page is reached by enhanced navigation: fill it only once it is there.
        await stranger.WaitForURLAsync(new Regex(@"/account/register\?.*invitation="));
        await Assertions.Expect(stranger.GetByLabel("Email")).ToHaveValueAsync("leaked@example.com");
        await new RegisterPage(stranger).FillAndSubmitAsync("leaked@example.com", Password);
        await stranger.GetByTestId("confirmation-sent").WaitForAsync();
        await strangerShots.SaveAsync(stranger, "confirmation sent");
        await new LoginPage(stranger).SignInAsync("leaked@example.com", Password, leaked.AbsolutePath);
        await stranger.GetByText("email address is not confirmed yet", new() { Exact = false }).WaitForAsync();
        await strangerShots.SaveAsync(stranger, "sign-in refused");

        // The owner of another invited mailbox follows the mail: registers, confirms, signs in, joins.
        await new MembersPage(admin).InviteByMailAsync("owner@example.com");
        var invitation = SmtpSink.LinkIn(await Smtp.WaitForMailAsync("owner@example.com"), MailPortalServer.PublicUrl + "/invitations/");
        await using var ownerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var owner = await ownerContext.NewPageAsync();
        var ownerShots = new StepScreenshots(nameof(MailFlowTests), "owner");
        await owner.GotoAsync(OnServer(invitation));
        await owner.WaitForURLAsync("**/account/login**");
        await owner.GetByRole(AriaRole.Link, new() { Name = "Create one" }).ClickAsync();
        await owner.WaitForURLAsync(new Regex(@"/account/register\?.*invitation="));
        await Assertions.Expect(owner.GetByLabel("Email")).ToHaveValueAsync("owner@example.com");
        await new RegisterPage(owner).FillAndSubmitAsync("owner@example.com", Password);
        await owner.GetByTestId("confirmation-sent").WaitForAsync();
        var confirmation = await Smtp.WaitForMailAsync("owner@example.com", subject: "Confirm your email address");
        await owner.GotoAsync(OnServer(SmtpSink.LinkIn(confirmation, MailPortalServer.PublicUrl + "/account/confirm-email?")));
        await owner.GetByTestId("email-confirmed").WaitForAsync();
        await ownerShots.SaveAsync(owner, "confirmed");
        await new LoginPage(owner).SignInAsync("owner@example.com", Password, invitation.AbsolutePath);
        await owner.GetByRole(AriaRole.Heading, new() { Name = "Join Mail Co" }).WaitForAsync();
        await owner.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" })
            .ClickUntilAsync(owner.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await ownerShots.SaveAsync(owner, "joined");
    }

    // A link from mail or the log, opened on the server under test: its path and query only.
    private string OnServer(Uri link) => new Uri(Server.BaseAddress, link.PathAndQuery).ToString();

    [GeneratedRegex(@"http://\S+/setup/[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();
}
