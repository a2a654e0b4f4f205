using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Components.Keys;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Leaks;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Components.FieldQueries;

namespace Portal.Tests.Components.Keys;

/// <summary>
/// The "Report a leaked key" page with the real leak handling on a SQLite database: whatever is pasted
/// (one's own key, another organization's, an unknown or malformed token), the page says the same; a
/// key's token stops the key; the form is limited per person.
/// </summary>
public sealed class ReportLeakPageTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private const int Allowance = 6;
    private readonly SqliteApp app;
    private readonly BunitAuthorizationContext _authorization;

    public ReportLeakPageTests(SqliteApp app)
    {
        this.app = app;
        Services.AddSingleton(app.Services.GetRequiredService<LeakReports>());
        var options = Options.Create(new LeakReportOptions { PortalReportsPerHour = Allowance });
        Services.AddSingleton<IOptions<LeakReportOptions>>(options);
        Services.AddSingleton(new PortalLeakReportLimit(options, app.Clock));
        Services.AddScoped<PortalCaller>();
        _authorization = AddAuthorization();
        this.AddPortalTestServices();
        Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Report_AnyToken_AnswersTheSameNeutralMessage_AndStopsTheKeysAmongThem()
    {
        var reporter = await app.NewUserAsync();
        var own = await app.CreateKeyAsync(reporter, ["orders:read"]);
        var organization = await app.NewOrganizationAsync();
        var theirs = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        var page = RenderPage(reporter);
        var answers = new List<string>();

        foreach (var token in new[] { own.Token, theirs.Token, DoorTestKit.UnknownToken(), "not a key at all", DoorTestKit.WithBadChecksum(theirs.Token) })
        {
            Input(page, "Token").Change(token);
            await Button(page, "Report").ClickAsync(new());
            page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=leak-answer]")));
            answers.Add(page.Find("[data-testid=leak-answer]").TextContent.Trim());
            Assert.DoesNotContain(token, page.Markup);
        }

        Assert.Equal([ReportLeakPage.Answer], answers.Distinct());
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(own.Key.Id)).Status);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(theirs.Key.Id)).Status);
    }

    [Fact]
    public async Task Report_WithWhereItWasFound_StoresTheLinkWithoutItsQuery()
    {
        var reporter = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(reporter, ["orders:read"]);
        var page = RenderPage(reporter);

        Input(page, "Token").Change(issued.Token);
        Input(page, "Where you found it (optional)").Change("https://gist.example.com/abc?t=1");
        await Button(page, "Report").ClickAsync(new());

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=leak-answer]")));
        await using var scope = app.Scope();
        var leak = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().KeyLeaks.AsNoTracking().SingleAsync(l => l.KeyId == issued.Key.Id);
        Assert.Equal(("https://gist.example.com/abc", "portal"), (leak.Url, leak.Source));
    }

    [Fact]
    public async Task Report_WhereIsNotALink_ShowsAMessageAndReportsNothing()
    {
        var reporter = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(reporter, ["orders:read"]);
        var page = RenderPage(reporter);

        Input(page, "Token").Change(issued.Token);
        Input(page, "Where you found it (optional)").Change("javascript:alert(1)");
        await Button(page, "Report").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Enter a link starting with https:// or http://", page.Markup));
        Assert.Empty(page.FindAll("[data-testid=leak-answer]"));
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(issued.Key.Id)).Status);
    }

    [Fact]
    public async Task Report_OverTheHourlyAllowance_IsRefused_AndTheTokenNotLookedAt()
    {
        var reporter = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(reporter, ["orders:read"]);
        var page = RenderPage(reporter);
        for (var i = 0; i < Allowance; i++)
        {
            Input(page, "Token").Change(DoorTestKit.UnknownToken());
            await Button(page, "Report").ClickAsync(new());
            page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=leak-answer]")));
        }

        Input(page, "Token").Change(issued.Token);
        await Button(page, "Report").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains($"You made {Allowance} reports in the last hour", page.Find("[data-testid=leak-refused]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=leak-answer]"));
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(issued.Key.Id)).Status);
    }

    [Fact]
    public async Task Report_EmptyToken_AsksForIt()
    {
        var page = RenderPage(await app.NewUserAsync());

        await Button(page, "Report").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Contains("Paste the token you found.", page.Markup));
        Assert.Empty(page.FindAll("[data-testid=leak-answer]"));
    }

    private IRenderedComponent<ReportLeakPage> RenderPage(TestUser user)
    {
        _authorization.SetAuthorized(user.User.Email!);
        _authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, user.User.Id.ToString()), new Claim(ClaimTypes.Name, user.User.Email!));
        return Render<ReportLeakPage>();
    }
}
