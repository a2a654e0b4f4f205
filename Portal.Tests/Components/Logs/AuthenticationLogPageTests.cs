using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Core.Audit;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Logs;

/// <summary>The authentication log page with the real services on a SQLite database and a tiny read budget.</summary>
public sealed class AuthenticationLogPageTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private const int Budget = 3;
    private readonly SqliteApp app;
    private readonly BunitAuthorizationContext _authorization;

    public AuthenticationLogPageTests(SqliteApp app)
    {
        this.app = app;
        Services.AddScoped<PortalDbContext>(_ => app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        Services.AddScoped<OrganizationAccess>();
        Services.AddScoped<Portal.Core.Permissions.PermissionEvaluator>();
        Services.AddScoped<MemberOffboarding>();
        Services.AddSingleton(app.Services.GetRequiredService<KeyChangeFeed>());
        Services.AddScoped<AuditTrail>();
        Services.AddScoped<Quotas>();
        Services.AddSingleton(app.Services.GetRequiredService<IOptions<QuotaOptions>>());
        Services.AddScoped<OrganizationDirectory>();
        Services.AddScoped<AuthenticationLogQuery>();
        Services.AddSingleton(Options.Create(new LogQueryOptions { PageScanBudget = Budget }));
        Services.AddScoped<PortalCaller>();
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Page_SearchStoppedAtTheReadBudget_SaysMoreResultsNarrowTheFilter()
    {
        var owner = await app.NewUserAsync();
        await WriteAsync(owner, Budget * 4);

        var page = RenderPage(owner);

        page.WaitForAssertion(() => Assert.Contains(LogQueryOptions.NarrowTheFilter, page.Markup));
        Assert.Contains("at most 31 days", page.Markup);
    }

    [Fact]
    public async Task Page_SearchWithinTheBudget_SaysNothingMore()
    {
        var owner = await app.NewUserAsync();
        await WriteAsync(owner, Budget - 1);

        var page = RenderPage(owner);

        page.WaitForAssertion(() => Assert.Contains("/orders/0", page.Markup));
        Assert.DoesNotContain(LogQueryOptions.NarrowTheFilter, page.Markup);
    }

    [Fact]
    public async Task Page_FoldedKeylessDecisions_ShowTheirCountNextToTheCode()
    {
        var owner = await app.NewUserAsync();
        await using (var scope = app.Scope())
        {
            var now = TimeProvider.System.GetUtcNow();
            await StoredLog.AddBatchAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(),
                new AuthenticationLogEntry(now.AddMinutes(-2), null, owner.OrganizationId, null, null, ReasonCodes.NotFound, Doors.Check, "GET", "/flood", "203.0.113.66", "bot", 3, Count: 10_000),
                new AuthenticationLogEntry(now.AddMinutes(-3), null, owner.OrganizationId, null, null, ReasonCodes.Malformed, Doors.Check, "GET", "/single", "203.0.113.67", "bot", 3));
        }

        var page = RenderPage(owner);

        page.WaitForAssertion(() => Assert.Contains("/flood", page.Markup));
        Assert.Equal("×10,000", Assert.Single(page.FindAll("[data-testid=decision-count]")).TextContent);
    }

    private IRenderedComponent<Portal.Components.Logs.AuthenticationLogPage> RenderPage(TestUser user)
    {
        _authorization.SetAuthorized(user.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.User.Id.ToString()));
        return Render<Portal.Components.Logs.AuthenticationLogPage>(p => p.Add(x => x.OrganizationId, user.OrganizationId));
    }

    /// <summary>Decisions of one key over the last minutes, each stored on its own.</summary>
    private async Task WriteAsync(TestUser owner, int count)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var keyId = Guid.NewGuid();
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < count; i++)
        {
            await StoredLog.AddBatchAsync(db, new AuthenticationLogEntry(
                now.AddMinutes(-1 - i), keyId, owner.OrganizationId, owner.User.Id, "pk_test_abcd…wxyz", ReasonCodes.Valid, Doors.Check, "GET", $"/orders/{i}", "203.0.113.9", "tests", 5));
        }
    }
}
