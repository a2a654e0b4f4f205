using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Components.Organizations;
using Portal.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Organizations;

/// <summary>The invitation link an admin is shown is on PublicUrl, not on the address the page was opened at.</summary>
public sealed class MembersPageInvitationLinkTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private readonly SqliteApp _app;
    private readonly AsyncServiceScope _scope;
    private readonly BunitAuthorizationContext _authorization;

    public MembersPageInvitationLinkTests(SqliteApp app)
    {
        _app = app;
        _scope = app.Scope();
        // The page's own services come from the app (its database); the caller and links are set here.
        Services.AddFallbackServiceProvider(_scope.ServiceProvider);
        Services.AddScoped<PortalCaller>();
        Services.AddSingleton(new PublicLinks(Options.Create(new PublicUrlOptions { Url = "https://keys.example.com" })));
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await _scope.DisposeAsync();
    }

    [Fact]
    public async Task Invite_PublicUrlSet_LinkShownIsOnThePublicUrl()
    {
        var organization = await _app.NewOrganizationAsync();
        _authorization.SetAuthorized(organization.Owner.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, organization.Owner.User.Id.ToString()));
        var dialogs = this.RenderDialogHost();
        var page = Render<MembersPage>(p => p.Add(m => m.OrganizationId, organization.Id));
        page.WaitForAssertion(() => Assert.Contains("Invite member", page.Markup));

        // The page's handler runs until both dialogs are closed: awaited only at the end.
        var inviting = page.FindAll("button").Single(b => b.TextContent.Contains("Invite member")).ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Invite a member", dialogs.Markup));
        await dialogs.Find("input[type=email]").ChangeAsync(new() { Value = "invited@example.com" });
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Invite").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Contains("Send this link to invited@example.com", dialogs.Markup));
        var link = dialogs.Find("[data-testid=revealed-secret]").TextContent.Trim();
        Assert.StartsWith("https://keys.example.com/invitations/", link, StringComparison.Ordinal);
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Done").ClickAsync(new());
        await inviting.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
