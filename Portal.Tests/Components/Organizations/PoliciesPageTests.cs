using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.DataProtection;
using Portal.Account;
using Portal.Core.Audit;
using Portal.Components.Organizations;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Components.FieldQueries;

namespace Portal.Tests.Components.Organizations;

/// <summary>The policies page rendered with the real services on a SQLite database.</summary>
public sealed class PoliciesPageTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private readonly SqliteApp app;
    private readonly BunitAuthorizationContext _authorization;
    private readonly IRenderedComponent<MudBlazor.MudPopoverProvider> _popovers;

    public PoliciesPageTests(SqliteApp app)
    {
        this.app = app;
        // The page's own services, over the app's database and settings; bUnit's container disposes them.
        // All are registered before the first render, as bUnit requires.
        Services.AddScoped<PortalDbContext>(_ => app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        Services.AddScoped<OrganizationAccess>();
        Services.AddScoped<Portal.Core.Permissions.PermissionEvaluator>();
        Services.AddScoped<AuditTrail>();
        Services.AddScoped<OrganizationPolicies>();
        Services.AddSingleton(app.Services.GetRequiredService<OrganizationShieldCache>());
        Services.AddScoped<OrganizationDirectory>();
        Services.AddScoped<MemberOffboarding>();
        Services.AddSingleton(app.Services.GetRequiredService<KeyChangeFeed>());
        Services.AddScoped<Quotas>();
        Services.AddSingleton(app.Services.GetRequiredService<IOptions<QuotaOptions>>());
        Services.AddScoped<WebhookSettings>();
        Services.AddSingleton(app.Services.GetRequiredService<IOptions<KeyOptions>>());
        Services.AddSingleton(app.Services.GetRequiredService<IOptions<WebhookOptions>>());
        Services.AddSingleton(app.Services.GetRequiredService<IDataProtectionProvider>());
        Services.AddScoped<PortalCaller>();
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        _popovers = Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Save_OutOfRangeLifetime_ShowsMessageAndSavesNothing_ThenValidValueSaves()
    {
        var organization = await app.NewOrganizationAsync();
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains("Save policies", page.Markup));

        // Found and fired on the renderer's thread: a render between finding and firing would drop the handler.
        await page.InvokeAsync(() => page.FindAll("input")[0].Change("0"));
        await page.InvokeAsync(() => page.FindAll("button").First(b => b.TextContent.Contains("Save policies")).Click());

        page.WaitForAssertion(() => Assert.Contains("The maximum key lifetime must be between 1 and 3650 days", page.Markup));
        Assert.Null(await StoredAsync(organization.Id));

        // Found and fired on the renderer's thread: a render between finding and firing would drop the handler.
        await page.InvokeAsync(() => page.FindAll("input")[0].Change("90"));
        await page.InvokeAsync(() => page.FindAll("button").First(b => b.TextContent.Contains("Save policies")).Click());

        await WaitForAsync(async () => (await StoredAsync(organization.Id))?.MaxKeyLifetimeDays == 90);
        Assert.DoesNotContain("must be between 1 and 3650", page.Markup);
    }

    [Fact]
    public async Task Developer_SeesPoliciesReadOnly_WithoutSaveOrWebhook()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(MaxKeyLifetimeDays: 45));
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);

        var page = RenderPage(developer, organization.Id);

        page.WaitForAssertion(() => Assert.Contains("Only admins and owners can change the policies.", page.Markup));
        Assert.Equal("45", page.FindAll("input")[0].GetAttribute("value"));
        Assert.DoesNotContain("Save policies", page.Markup);
        Assert.DoesNotContain("Endpoint URL", page.Markup);
    }

    [Fact]
    public async Task Stranger_SeesNotFound()
    {
        var organization = await app.NewOrganizationAsync();
        var stranger = await app.NewUserAsync();

        var page = RenderPage(stranger, organization.Id);

        page.WaitForAssertion(() => Assert.Contains("Not found", page.Markup));
        Assert.DoesNotContain("Save policies", page.Markup);
    }

    [Fact]
    public async Task Save_RequestProtections_AreStoredWithTheOtherPolicies()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(MaxKeyLifetimeDays: 45));
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains("Request protections", page.Markup));
        Assert.Contains("Default: 50", Field(page, "Refusals that block an address").TextContent);

        Switch(page, "Require an IP allowlist on live keys").Change(true);
        Input(page, "Add denied network").Input("198.51.100.0/24");
        Button(page, "Add").Click();
        Input(page, "Denied countries").Change("kp");
        Input(page, "Refusals that block an address").Change("10");
        Switch(page, "Suspend suspicious keys").Change(true);
        Button(page, "Save policies").Click();

        await WaitForAsync(async () => (await StoredAsync(organization.Id))?.RequireIpAllowlistOnLiveKeys == true);
        var stored = (await StoredAsync(organization.Id))!;
        Assert.Equal(45, stored.MaxKeyLifetimeDays);
        Assert.Equal(["198.51.100.0/24"], stored.DeniedNetworks);
        Assert.Equal(["KP"], stored.DeniedCountries);
        Assert.Equal(ThreatPolicy.Default with { FailureLimit = 10, SuspendSuspiciousKeys = true }, stored.Threats);
    }

    [Fact]
    public async Task Save_OtherPolicy_KeepsTheRequestProtections()
    {
        var organization = await app.NewOrganizationAsync();
        var threats = ThreatPolicy.Default with { BlockSeconds = 600 };
        await app.SetPolicyAsync(organization, new PolicySettings(RequireIpAllowlistOnLiveKeys: true, DeniedNetworks: ["198.51.100.0/24"], DeniedCountries: ["KP"], Threats: threats));
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains("198.51.100.0/24", page.Find("[data-testid=denied-networks]").TextContent));

        page.FindAll("input")[0].Change("90");
        Button(page, "Save policies").Click();

        await WaitForAsync(async () => (await StoredAsync(organization.Id))?.MaxKeyLifetimeDays == 90);
        var stored = (await StoredAsync(organization.Id))!;
        Assert.True(stored.RequireIpAllowlistOnLiveKeys);
        Assert.Equal(["198.51.100.0/24"], stored.DeniedNetworks);
        Assert.Equal(["KP"], stored.DeniedCountries);
        Assert.Equal(threats, stored.Threats);
    }

    [Fact]
    public async Task Save_BadDeniedNetworkAndThreshold_ShowTheirMessagesAndSaveNothing()
    {
        var organization = await app.NewOrganizationAsync();
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains("Request protections", page.Markup));

        Input(page, "Add denied network").Input("198.51.100.0/33");
        Button(page, "Add").Click();
        Input(page, "Refusals that block an address").Change("1");
        Button(page, "Save policies").Click();

        page.WaitForAssertion(() => Assert.Contains("198.51.100.0/33", page.Find("[data-testid=denied-networks]").QuerySelector(".mud-input-error")?.TextContent ?? ""));
        Assert.Contains("Refusals that block an address must be between 3 and 100,000.", Field(page, "Refusals that block an address").TextContent);
        Assert.Null(await StoredAsync(organization.Id));
    }

    [Fact]
    public async Task Developer_SeesRequestProtectionsReadOnly()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(DeniedNetworks: ["198.51.100.0/24"], DeniedCountries: ["KP"]));
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);

        var page = RenderPage(developer, organization.Id);

        page.WaitForAssertion(() => Assert.Contains("198.51.100.0/24", page.Find("[data-testid=denied-networks]").TextContent));
        Assert.DoesNotContain("Add denied network", page.Markup);
        Assert.Equal("KP", Input(page, "Denied countries").GetAttribute("value"));
        Assert.NotNull(Input(page, "Denied countries").GetAttribute("readonly"));
    }

    [Fact]
    public async Task Save_ReportedLeaksSuspend_IsStoredInTheThreatPolicy_AndShownToDevelopers()
    {
        var organization = await app.NewOrganizationAsync();
        var page = RenderPage(organization.Owner, organization.Id);
        page.WaitForAssertion(() => Assert.Contains("When a token is reported found in public", page.Markup));
        Assert.Contains("Revoke the key at once (REVOKED)", page.Find("div.mud-input-control:has([data-testid=reported-leaks])").InnerHtml);

        await page.Find("div.mud-input-control:has([data-testid=reported-leaks])").MouseDownAsync(new());
        _popovers.WaitForAssertion(() => Assert.Contains(_popovers.FindAll("div.mud-list-item"), i => i.TextContent.Contains("Suspend the key", StringComparison.Ordinal)));
        await _popovers.FindAll("div.mud-list-item").Single(i => i.TextContent.Trim() == "Suspend the key until an admin lifts it (SUSPENDED)").ClickAsync(new());
        Button(page, "Save policies").Click();

        await WaitForAsync(async () => (await StoredAsync(organization.Id))?.Threats?.ReportedLeaks == LeakResponse.Suspend);
        Assert.Equal(ThreatPolicy.Default with { ReportedLeaks = LeakResponse.Suspend }, (await StoredAsync(organization.Id))!.Threats);

        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var readOnly = RenderPage(developer, organization.Id);
        readOnly.WaitForAssertion(() => Assert.Contains("Suspend the key until an admin lifts it (SUSPENDED)", readOnly.Find("div.mud-input-control:has([data-testid=reported-leaks])").InnerHtml));
    }

    private static AngleSharp.Dom.IElement Switch(IRenderedComponent<PoliciesPage> page, string label) =>
        page.FindAll("label.mud-switch").First(l => l.TextContent.Contains(label, StringComparison.Ordinal)).QuerySelector("input")!;

    private IRenderedComponent<PoliciesPage> RenderPage(TestUser user, Guid organizationId)
    {
        _authorization.SetAuthorized(user.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.User.Id.ToString()));
        return Render<PoliciesPage>(p => p.Add(x => x.OrganizationId, organizationId));
    }

    private async Task<OrganizationPolicy?> StoredAsync(Guid organizationId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().OrganizationPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.OrganizationId == organizationId);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true in time");
            await Task.Delay(50);
        }
    }
}
