using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Account;
using Portal.Components.Organizations;
using Portal.Core.Mail;
using Portal.Core.Organizations;
using Portal.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Organizations;

/// <summary>
/// The members page with mail on: inviting mails the link to the invited address (nobody is shown
/// it), and a mail server that refuses leaves the dialog open with the reason and no invitation.
/// </summary>
public sealed class MembersPageMailTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteMailApp>
{
    private readonly SqliteMailApp _app;
    private readonly AsyncServiceScope _scope;
    private readonly BunitAuthorizationContext _authorization;
    private readonly SwitchableSender _sender;

    public MembersPageMailTests(SqliteMailApp app)
    {
        _app = app;
        _scope = app.Scope();
        Services.AddFallbackServiceProvider(_scope.ServiceProvider);
        Services.AddScoped<PortalCaller>();
        // The app's sender, or (switched by a test) one whose server is down; bUnit takes services only before the first render.
        _sender = new SwitchableSender(app.Services.GetRequiredService<IMailSender>());
        Services.AddSingleton(new InvitationMail(_sender, app.Services.GetRequiredService<PublicLinks>()));
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _scope.DisposeAsync();
    }

    [Fact]
    public async Task Invite_MailOn_SaysSentAndMailsTheLinkWithoutShowingIt()
    {
        var (organization, dialogs, page) = await OpenAsync();
        var invited = $"mailed-{Guid.NewGuid():N}@example.com";

        var inviting = await InviteAsync(dialogs, page, invited);
        await inviting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == $"Invitation sent to {invited}.");
        Assert.DoesNotContain("Invitation link", dialogs.Markup, StringComparison.Ordinal);
        var mail = await _app.Smtp.WaitForMailAsync(invited);
        Assert.Contains($"\"{organization.Name}\"", mail.TextBody, StringComparison.Ordinal);
        SmtpSink.LinkIn(mail, "http://localhost/invitations/");
        page.WaitForAssertion(() => Assert.Contains(invited, page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invite_MailServerDown_DialogSaysSoAndNoInvitationExists()
    {
        _sender.Current = DeadSender();
        var (organization, dialogs, page) = await OpenAsync();
        var invited = $"undelivered-{Guid.NewGuid():N}@example.com";

        _ = await InviteAsync(dialogs, page, invited);

        dialogs.WaitForAssertion(() => Assert.Contains("The mail server did not accept the message", dialogs.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("Invite a member", dialogs.Markup, StringComparison.Ordinal);
        await using var scope = _app.Scope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().PendingInvitationsAsync(organization.Owner.Caller(), organization.Id));
    }

    private async Task<(OrganizationRecord Organization, IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MembersPage> Page)> OpenAsync()
    {
        var organization = await _app.NewOrganizationAsync();
        await using var scope = _app.Scope();
        var name = (await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().FindAsync(organization.Owner.Caller(), organization.Id))!.Name;
        _authorization.SetAuthorized(organization.Owner.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, organization.Owner.User.Id.ToString()));
        var dialogs = this.RenderDialogHost();
        var page = Render<MembersPage>(p => p.Add(m => m.OrganizationId, organization.Id));
        page.WaitForAssertion(() => Assert.Contains("Invite member", page.Markup));
        return (new OrganizationRecord(organization.Id, name, organization.Owner), dialogs, page);
    }

    // The page's handler runs until the dialog closes: the returned task ends then.
    private static async Task<Task> InviteAsync(IRenderedComponent<MudDialogProvider> dialogs, IRenderedComponent<MembersPage> page, string email)
    {
        var inviting = page.FindAll("button").Single(b => b.TextContent.Contains("Invite member")).ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Invite a member", dialogs.Markup));
        await dialogs.Find("input[type=email]").ChangeAsync(new() { Value = email });
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Invite").ClickAsync(new());
        return inviting;
    }

    private static SmtpMailSender DeadSender()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new SmtpMailSender(Options.Create(new MailOptions { Host = "127.0.0.1", Port = closed, Security = MailSecurity.None, From = MailApp.From }),
            NullLogger<SmtpMailSender>.Instance);
    }

    private sealed record OrganizationRecord(Guid Id, string Name, TestUser Owner);

    private sealed class SwitchableSender(IMailSender current) : IMailSender
    {
        public IMailSender Current { get; set; } = current;

        public bool IsEnabled => Current.IsEnabled;

        public Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default) => Current.SendAsync(mail, cancellationToken);
    }
}
