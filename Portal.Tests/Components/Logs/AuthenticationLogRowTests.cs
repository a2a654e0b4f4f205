using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Auth;
using Portal.Tests.Core.Audit;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Logs;

/// <summary>
/// How the authentication log page explains a record: the time to the second, the reason code with
/// its words, the key's name beside its hint, the scope needed, the endpoint rule that decided, the
/// latency in milliseconds; and the key picker naming a key a link filtered by.
/// </summary>
public sealed class AuthenticationLogRowTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private readonly SqliteApp app;
    private readonly BunitAuthorizationContext _authorization;

    public AuthenticationLogRowTests(SqliteApp app)
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
        Services.AddSingleton(Options.Create(new LogQueryOptions()));
        Services.AddScoped<PortalCaller>();
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Row_ShowsWhatDecided_TheKeyByName_AndTheTimeToTheSecond()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("billing worker", Scopes: ["orders:read"]));
        var at = ToMinute(TimeProvider.System.GetUtcNow().AddMinutes(-5)).AddSeconds(37);
        var rule = Guid.NewGuid();
        await StoreAsync(new AuthenticationLogEntry(at, issued.Key.Id, owner.OrganizationId, owner.User.Id, issued.Key.Hint, ReasonCodes.InsufficientScope,
            Doors.ExtAuthz, "DELETE", "/orders/7", "203.0.113.9", "curl/8", 1_234, Scope: "orders:admin", RuleId: rule.ToString(), Rule: "DELETE /orders/{id}"));

        var page = RenderPage(owner);

        page.WaitForAssertion(() => Assert.Contains("/orders/7", page.Markup));
        Assert.Equal(at.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture), Text(page, "log-when"));
        Assert.EndsWith(":37 UTC", Text(page, "log-when"));
        Assert.Equal(ReasonWords.Of(ReasonCodes.InsufficientScope), Text(page, "log-reason"));
        Assert.Contains("billing worker", Text(page, "log-key"));
        Assert.Contains(issued.Key.Hint, Text(page, "log-key"));
        Assert.Equal("orders:admin", Text(page, "log-scope"));
        Assert.Equal("DELETE /orders/{id}", Text(page, "log-rule"));
        Assert.Equal("1.234", Text(page, "log-latency"));
        Assert.Contains("Latency (ms)", page.Markup);
        Assert.DoesNotContain("µs", page.Markup);
    }

    [Fact]
    public async Task Row_NoMatchingRule_SaysNoRuleMatched()
    {
        var owner = await app.NewUserAsync();
        await StoreAsync(new AuthenticationLogEntry(TimeProvider.System.GetUtcNow().AddMinutes(-1), Guid.NewGuid(), owner.OrganizationId, owner.User.Id, "pk_test_abcd…wxyz",
            ReasonCodes.NoMatchingRule, Doors.Check, "GET", "/invoices/7", "203.0.113.9", "nginx", 80));

        var page = RenderPage(owner);

        page.WaitForAssertion(() => Assert.Contains("/invoices/7", page.Markup));
        Assert.Equal("no rule matched", Text(page, "log-rule"));
        Assert.Equal("—", Text(page, "log-scope"));
        // A key deleted since (or never stored here): its hint, and no name to show.
        Assert.Contains("(deleted key)", Text(page, "log-key"));
    }

    [Fact]
    public async Task EveryReasonCode_IsShownWithItsWordsBesideIt()
    {
        var owner = await app.NewUserAsync();
        var now = TimeProvider.System.GetUtcNow();
        await StoreAsync([.. ReasonWords.Codes.Select((code, i) => new AuthenticationLogEntry(
            now.AddSeconds(-10 - i), Guid.NewGuid(), owner.OrganizationId, owner.User.Id, "pk_test_abcd…wxyz", code, Doors.Check, "GET", $"/code/{code}", "203.0.113.9", "tests", 5))]);

        var page = RenderPage(owner);

        page.WaitForAssertion(() => Assert.Equal(ReasonWords.Codes.Count, page.FindAll("[data-testid=log-reason]").Count));
        foreach (var row in page.FindAll("tbody tr"))
        {
            var code = ReasonWords.Codes.Single(c => row.TextContent.Contains($"/code/{c}", StringComparison.Ordinal));
            Assert.Contains(code, row.TextContent);
            Assert.Equal(ReasonWords.Of(code), row.QuerySelector("[data-testid=log-reason]")!.TextContent.Trim());
        }
    }

    [Fact]
    public async Task KeyPicker_LinkNamingAKey_ShowsItByNameAndHint()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("nightly export", Scopes: ["orders:read"]));
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/orgs/{owner.OrganizationId}/logs?key={issued.Key.Id}");

        var page = RenderPage(owner);

        page.WaitForAssertion(() => Assert.Contains(page.FindAll("input"), i => i.GetAttribute("value") == $"nightly export ({issued.Key.Hint})"));
    }

    private IRenderedComponent<Portal.Components.Logs.AuthenticationLogPage> RenderPage(TestUser user)
    {
        _authorization.SetAuthorized(user.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.User.Id.ToString()));
        return Render<Portal.Components.Logs.AuthenticationLogPage>(p => p.Add(x => x.OrganizationId, user.OrganizationId));
    }

    private static string Text(IRenderedComponent<Portal.Components.Logs.AuthenticationLogPage> page, string testId) =>
        page.Find($"[data-testid={testId}]").TextContent.Trim();

    private static DateTimeOffset ToMinute(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private async Task StoreAsync(params AuthenticationLogEntry[] entries)
    {
        await using var scope = app.Scope();
        await StoredLog.AddBatchAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(), entries);
    }
}
