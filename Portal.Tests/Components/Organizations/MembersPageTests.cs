using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Account;
using Portal.Components.Organizations;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Organizations;

/// <summary>
/// The members page rendered with the real services on a SQLite database: removing a member asks
/// first, naming the keys that will be revoked, and then shows the keys that were.
/// </summary>
public sealed class MembersPageTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private readonly SqliteApp app;
    private readonly BunitAuthorizationContext _authorization;
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public MembersPageTests(SqliteApp app)
    {
        this.app = app;
        // The page's own services, over the app's database; all registered before the first render, as bUnit requires.
        Services.AddScoped<PortalDbContext>(_ => app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        Services.AddScoped<OrganizationAccess>();
        Services.AddScoped<Portal.Core.Permissions.PermissionEvaluator>();
        Services.AddScoped<AuditTrail>();
        Services.AddScoped<MemberOffboarding>();
        Services.AddScoped<Quotas>();
        Services.AddSingleton(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<QuotaOptions>>());
        Services.AddSingleton(app.Services.GetRequiredService<Portal.Core.Mail.IMailSender>());
        Services.AddScoped<OrganizationDirectory>();
        Services.AddSingleton(app.Services.GetRequiredService<KeyChangeFeed>());
        Services.AddSingleton(new Portal.Hosting.PublicLinks(Microsoft.Extensions.Options.Options.Create(new Portal.Hosting.PublicUrlOptions())));
        Services.AddSingleton<InvitationMail>();
        Services.AddScoped<PortalCaller>();
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudPopoverProvider>();
        _dialogs = this.RenderDialogHost();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Remove_DialogListsTheKeysToBeRevoked_ThenTheSummaryListsThoseRevoked()
    {
        var organization = await app.NewOrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var first = await app.CreateKeyInAsync(developer, organization.Id);
        var second = await app.CreateKeyInAsync(developer, organization.Id);
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains(developer.User.Email!, page.Markup));

        // The click's handler waits for the dialog's answer: it completes only once the dialog is closed.
        var removing = page.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").ClickAsync(new());

        _dialogs.WaitForAssertion(() => Assert.Contains($"Remove {developer.User.Email} from", _dialogs.Markup));
        var listed = _dialogs.Find("[data-testid=revoked-keys]").TextContent;
        Assert.Contains(first.Key.Name, listed);
        Assert.Contains(first.Key.Hint, listed);
        Assert.Contains(second.Key.Name, listed);
        Assert.Contains("2 keys in this organization will be revoked at once", _dialogs.Markup);
        Assert.Contains("keys in other organizations are not affected", _dialogs.Markup);
        Assert.DoesNotContain("stay in the organization", _dialogs.Markup);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(first.Key.Id)).Status);

        await _dialogs.FindAll("button").Single(b => b.TextContent.Trim() == $"Remove {developer.User.Email}").ClickAsync(new());
        await removing;

        page.WaitForAssertion(() => Assert.Contains($"{developer.User.Email} was removed", page.Find("[data-testid=member-change-summary]").TextContent));
        var summary = page.Find("[data-testid=member-change-summary] [data-testid=revoked-keys]").TextContent;
        Assert.Contains(first.Key.Name, summary);
        Assert.Contains(second.Key.Name, summary);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(first.Key.Id)).Status);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(second.Key.Id)).Status);
    }

    [Fact]
    public async Task Remove_Cancelled_ChangesNothing()
    {
        var organization = await app.NewOrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var key = await app.CreateKeyInAsync(developer, organization.Id);
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains(developer.User.Email!, page.Markup));

        var removing = page.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").ClickAsync(new());
        _dialogs.WaitForAssertion(() => Assert.Contains(key.Key.Name, _dialogs.Markup));
        await _dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        await removing;

        _dialogs.WaitForAssertion(() => Assert.DoesNotContain(key.Key.Name, _dialogs.Markup));
        Assert.Empty(page.FindAll("[data-testid=member-change-summary]"));
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(key.Key.Id)).Status);
        Assert.Contains(developer.User.Email!, page.Markup);
    }

    [Fact]
    public async Task ConfirmDialog_RoleChange_ListsWhatEachKeyLosesAndTheCancelledInvitations()
    {
        var keyId = Guid.NewGuid();
        var plan = new MemberChangePlan(Guid.NewGuid(), Guid.NewGuid(), "ann@example.com", OrganizationRole.Admin, OrganizationRole.Developer,
            [new PlannedKeyRevocation(Guid.NewGuid(), "wildcard bot", "pk_test_AAAA…ZZZZ", KeyRevocationCause.NothingLeft)],
            [new PlannedKeyReduction(keyId, "ci", "pk_test_BBBB…YYYY", ["orders:admin"], [new Grant("*:*", ["asset/eu-*"])], [new PermissionSetReference(Guid.NewGuid(), "Ops admins")])],
            [new PlannedInvitationCancellation(Guid.NewGuid(), "bob@example.com", OrganizationRole.Admin)]);

        await _dialogs.ShowDialogAsync(this, new DialogParameters<ConfirmMemberChangeDialog>
        {
            { d => d.Title, "Change role" },
            { d => d.Question, "Make ann@example.com a developer?" },
            { d => d.ConfirmText, "Make developer" },
            { d => d.Plan, plan },
        });

        var reduced = _dialogs.Find("[data-testid=reduced-keys]").TextContent;
        Assert.Contains("ci", reduced);
        Assert.Contains("scope orders:admin", reduced);
        Assert.Contains("grant *:* on asset/eu-*", reduced);
        Assert.Contains("permission set “Ops admins”", reduced);
        Assert.Contains("1 key will lose what a developer may not give", _dialogs.Markup);
        var revoked = _dialogs.Find("[data-testid=revoked-keys]").TextContent;
        Assert.Contains("wildcard bot", revoked);
        Assert.Contains("revoked rather than left granting nothing", revoked);
        Assert.Contains("bob@example.com as Admin", _dialogs.Find("[data-testid=cancelled-invitations]").TextContent);
    }

    private IRenderedComponent<MembersPage> RenderPage(TestUser user, Guid organizationId)
    {
        _authorization.SetAuthorized(user.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.User.Id.ToString()), new Claim(ClaimTypes.Name, user.User.Email!));
        return Render<MembersPage>(p => p.Add(x => x.OrganizationId, organizationId));
    }
}
