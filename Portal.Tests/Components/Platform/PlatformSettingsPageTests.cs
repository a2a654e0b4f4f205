using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Account;
using Portal.Components.Platform;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Platform;

/// <summary>The platform settings page rendered with the real services on a SQLite database.</summary>
public sealed class PlatformSettingsPageTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private readonly SqliteApp app;
    private readonly BunitAuthorizationContext _authorization;

    public PlatformSettingsPageTests(SqliteApp app)
    {
        this.app = app;
        Services.AddScoped<PortalDbContext>(_ => app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        Services.AddScoped<OrganizationAccess>();
        Services.AddScoped<Portal.Core.Permissions.PermissionEvaluator>();
        Services.AddScoped<AuditTrail>();
        Services.AddScoped<PlatformRegistration>();
        Services.AddScoped<PortalCaller>();
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Administrator_SwitchesToOpen_SavesAndAudits()
    {
        var administrator = await app.NewUserAsync();
        await app.MakePlatformAdministratorAsync(administrator);
        await SetAsync(administrator, RegistrationMode.InvitationOnly);

        var page = RenderPage(administrator);
        page.WaitForAssertion(() => Assert.Contains("Save settings", page.Markup));
        Assert.True(Radio(page, "Invitation only").HasAttribute("checked"));
        Assert.False(Radio(page, "Open").HasAttribute("checked"));

        Radio(page, "Open").Click();
        page.FindAll("button").First(b => b.TextContent.Contains("Save settings")).Click();

        await WaitForAsync(async () => await ModeAsync() == RegistrationMode.Open);
        await using var scope = app.Scope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .AnyAsync(a => a.Action == AuditActions.RegistrationChanged && a.ActorId == administrator.User.Id && a.Details!.Contains("\"after\":\"open\"")));
    }

    [Fact]
    public async Task SignedInUserWithoutTheRole_SeesNotFound()
    {
        var user = await app.NewUserAsync();

        var page = RenderPage(user);

        page.WaitForAssertion(() => Assert.Contains("Not found", page.Markup));
        Assert.DoesNotContain("Save settings", page.Markup);
        Assert.DoesNotContain("Registration", page.Markup);
    }

    private IRenderedComponent<PlatformSettingsPage> RenderPage(TestUser user)
    {
        _authorization.SetAuthorized(user.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.User.Id.ToString()));
        return Render<PlatformSettingsPage>();
    }

    private static AngleSharp.Dom.IElement Radio(IRenderedComponent<PlatformSettingsPage> page, string label) =>
        page.FindAll("label").First(l => l.TextContent.Contains(label, StringComparison.Ordinal)).QuerySelector("input[type=radio]")!;

    private async Task SetAsync(TestUser administrator, RegistrationMode mode)
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<PlatformRegistration>().SetAsync(administrator.Caller(), mode);
    }

    private async Task<RegistrationMode> ModeAsync()
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PlatformRegistration>().GetAsync();
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
