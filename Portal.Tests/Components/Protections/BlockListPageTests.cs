using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Account;
using Portal.Components.Protections;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Protections;

/// <summary>The block list page rendered with the real services on a SQLite database.</summary>
public sealed class BlockListPageTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private readonly SqliteApp app;
    private readonly BunitAuthorizationContext _authorization;
    private readonly IRenderedComponent<MudDialogProvider> _dialogs;

    public BlockListPageTests(SqliteApp app)
    {
        this.app = app;
        // The page's own services, over the app's database and monitor; all registered before the first render, as bUnit requires.
        Services.AddScoped<PortalDbContext>(_ => app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        Services.AddScoped<OrganizationAccess>();
        Services.AddScoped<Portal.Core.Permissions.PermissionEvaluator>();
        Services.AddScoped<AuditTrail>();
        // On the app's clock, which the stored blocks are timed by.
        Services.AddScoped(sp => new AddressBlocks(
            sp.GetRequiredService<PortalDbContext>(), sp.GetRequiredService<Portal.Core.Permissions.PermissionEvaluator>(), sp.GetRequiredService<AuditTrail>(),
            app.Services.GetRequiredService<ThreatMonitor>(), app.Clock));
        Services.AddScoped<OrganizationDirectory>();
        Services.AddScoped<MemberOffboarding>();
        Services.AddSingleton(app.Services.GetRequiredService<KeyChangeFeed>());
        Services.AddScoped<Quotas>();
        Services.AddSingleton(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<QuotaOptions>>());
        Services.AddScoped<PortalCaller>();
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudPopoverProvider>();
        _dialogs = this.RenderDialogHost();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Admin_AddsABlock_BadNetworkShowsAMessage_ThenLiftsItAfterConfirming()
    {
        var organization = await app.NewOrganizationAsync();
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains("No address is blocked.", page.Markup));

        page.Find("form[aria-label='Add a block'] input").Change("300.1.2.3");
        await AddButton(page).ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("'300.1.2.3' is not an IPv4 or IPv6 network", page.Markup));
        Assert.Empty(await StoredAsync(organization.Id));

        page.Find("form[aria-label='Add a block'] input").Change("203.0.113.9/24");
        await AddButton(page).ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("203.0.113.0/24", page.Find("table").TextContent));
        Assert.Contains("until lifted", page.Find("table").TextContent);
        Assert.Contains("Manual", page.Find("table").TextContent);

        var lifting = page.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Lift the block of 203.0.113.0/24").ClickAsync(new());
        _dialogs.WaitForAssertion(() => Assert.Contains("Lift the block of 203.0.113.0/24?", _dialogs.Markup));
        Assert.Single(await StoredAsync(organization.Id), b => b.LiftedAt is null);
        await _dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Lift 203.0.113.0/24").ClickAsync(new());
        await lifting;

        page.WaitForAssertion(() => Assert.Contains("No address is blocked.", page.Markup));
        Assert.All(await StoredAsync(organization.Id), b => Assert.NotNull(b.LiftedAt));
    }

    [Fact]
    public async Task AutomaticBlock_ShowsReasonCauseTimeLeftAndStrike()
    {
        var organization = await app.NewOrganizationAsync();
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.AddressBlocks.Add(new AddressBlock
            {
                OrganizationId = organization.Id,
                Network = "198.51.100.4/32",
                Reason = BlockReason.CredentialStuffing,
                Cause = "20 distinct unknown or malformed tokens among 20 refusals (NOT_FOUND ×20) in 60 s",
                Strike = 2,
                CreatedAt = app.Clock.GetUtcNow(),
                ExpiresAt = app.Clock.GetUtcNow().AddMinutes(10),
            });
            await db.SaveChangesAsync();
        }

        var page = RenderPage(organization.Owner, organization.Id);

        page.WaitForAssertion(() => Assert.Contains("198.51.100.4/32", page.Markup));
        var row = page.Find("tbody tr").TextContent;
        Assert.Contains("Credential stuffing", row);
        Assert.Contains("NOT_FOUND ×20", row);
        Assert.Contains("10 min 0 s", row);
        Assert.Contains("2", row);
    }

    [Theory]
    [InlineData(OrganizationRole.Developer)]
    [InlineData(OrganizationRole.Viewer)]
    public async Task NonAdmins_SeeTheListReadOnly(OrganizationRole role)
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, role);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<AddressBlocks>().AddAsync(organization.Owner.Caller(), organization.Id, "192.0.2.7", 60);
        }

        var page = RenderPage(member, organization.Id);

        page.WaitForAssertion(() => Assert.Contains("192.0.2.7/32", page.Markup));
        Assert.Contains("Only admins and owners can add and lift blocks.", page.Markup);
        Assert.DoesNotContain("Add block", page.Markup);
        Assert.DoesNotContain(">Lift<", page.Markup);
    }

    [Fact]
    public async Task Stranger_SeesNotFound()
    {
        var organization = await app.NewOrganizationAsync();
        var stranger = await app.NewUserAsync();

        var page = RenderPage(stranger, organization.Id);

        page.WaitForAssertion(() => Assert.Contains("Not found", page.Markup));
        Assert.DoesNotContain("Add block", page.Markup);
    }

    private static AngleSharp.Dom.IElement AddButton(IRenderedComponent<BlockListPage> page) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Add block");

    private IRenderedComponent<BlockListPage> RenderPage(TestUser user, Guid organizationId)
    {
        _authorization.SetAuthorized(user.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.User.Id.ToString()));
        return Render<BlockListPage>(p => p.Add(x => x.OrganizationId, organizationId));
    }

    private async Task<List<AddressBlock>> StoredAsync(Guid organizationId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AddressBlocks.AsNoTracking().Where(b => b.OrganizationId == organizationId).ToListAsync();
    }
}
