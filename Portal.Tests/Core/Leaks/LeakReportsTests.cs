using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Leaks;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Leaks;

/// <summary>
/// <see cref="LeakReports"/> on a real database: who the audit trail names (a portal user only in their
/// own organizations), tokens hashed with an older pepper, and the report's bounds.
/// </summary>
public abstract class LeakReportsTests(PortalApp app)
{
    [Fact]
    public async Task Report_ByAUserOfAnotherOrganization_StopsTheKey_AndItsOrganizationLearnsNothingAboutThem()
    {
        var victim = await app.NewOrganizationAsync();
        var issued = await app.CreateKeyInAsync(victim.Owner, victim.Id);
        var stranger = await app.NewUserAsync();

        var matched = await ReportAsync(new LeakReporter.PortalUser(stranger.Caller()), new FoundToken(issued.Token, "https://paste.example.com/abc?secret=1#x"));

        Assert.Equal([true], matched);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var trail = await db.AuditRecords.AsNoTracking().Where(a => a.OrganizationId == victim.Id && a.TargetId == issued.Key.Id.ToString() && a.Action != AuditActions.KeyCreated).ToListAsync();
        Assert.Equal([AuditActions.KeyLeaked, AuditActions.KeyRevoked], trail.Select(a => a.Action).Order());
        Assert.All(trail, a => Assert.Equal(("a portal user", (Guid?)null, (string?)null, Channels.Portal), (a.Actor, a.ActorId, a.ClientIp, a.Channel)));
        Assert.DoesNotContain(await db.AuditRecords.AsNoTracking().Where(a => a.OrganizationId == victim.Id).ToListAsync(),
            a => (a.Actor + a.Details).Contains(stranger.User.Email!, StringComparison.OrdinalIgnoreCase) || a.ActorId == stranger.User.Id);
        var leak = await db.KeyLeaks.AsNoTracking().SingleAsync(l => l.KeyId == issued.Key.Id);
        Assert.Equal(("portal", "portal", "https://paste.example.com/abc"), (leak.Reporter, leak.Source, leak.Url));
        Assert.False(await db.AuditRecords.AnyAsync(a => a.OrganizationId == stranger.OrganizationId && a.Action == AuditActions.KeyLeaked));
    }

    [Fact]
    public async Task Report_ByAMemberOfTheKeysOrganization_NamesThemInTheTrail()
    {
        var organization = await app.NewOrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);

        await ReportAsync(new LeakReporter.PortalUser(developer.Caller()), new FoundToken(issued.Token));

        await using var scope = app.Scope();
        var leaked = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .SingleAsync(a => a.TargetId == issued.Key.Id.ToString() && a.Action == AuditActions.KeyLeaked);
        Assert.Equal((developer.User.Email, developer.User.Id, "127.0.0.1"), (leaked.Actor, leaked.ActorId, leaked.ClientIp));
    }

    [Fact]
    public async Task Report_TokenHashedWithAnOlderPepper_IsFoundAndStopped()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var current = app.Services.GetRequiredService<KeyHasher>().Peppers;
        // The app's pepper becomes the older version of a ring whose newest is another.
        var ring = new PepperRing(new Dictionary<int, byte[]> { [current.CurrentVersion] = current[current.CurrentVersion], [current.CurrentVersion + 1] = new byte[32] }, current.CurrentVersion + 1);
        using var hasher = new KeyHasher(ring);
        var reports = new LeakReports(app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), hasher,
            app.Services.GetRequiredService<KeyChangeFeed>(), app.Clock, app.Services.GetRequiredService<IMeterFactory>(), NullLogger<LeakReports>.Instance);

        var matched = await reports.ReportAsync(new LeakReporter.Scanner("k"), [new FoundToken(DoorTestKit.UnknownToken()), new FoundToken(issued.Token)]);

        Assert.Equal([false, true], matched);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(issued.Key.Id)).Status);
    }

    [Fact]
    public async Task Report_PublishesTheKeyChange_SoCachesDropIt()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var changed = new List<KeyChange>();
        var feed = app.Services.GetRequiredService<KeyChangeFeed>();
        void OnChange(KeyChange change) => changed.Add(change);
        feed.Changed += OnChange;
        try
        {
            await ReportAsync(new LeakReporter.Scanner("k"), new FoundToken(issued.Token));
        }
        finally
        {
            feed.Changed -= OnChange;
        }

        var change = Assert.Single(changed, c => c.KeyId == issued.Key.Id);
        Assert.Single(change.Hashes);
    }

    [Fact]
    public async Task Report_OverTheBounds_ThrowsNamingTheField_AndChangesNothing()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var tooMany = Enumerable.Range(0, LeakReports.MaxTokens + 1).Select(i => new FoundToken(i == 0 ? issued.Token : "x")).ToList();

        var error = await Assert.ThrowsAsync<Portal.Core.InvalidRequestException>(() => ReportAsync(new LeakReporter.Scanner("k"), [.. tooMany]));
        var tooLong = await Assert.ThrowsAsync<Portal.Core.InvalidRequestException>(() =>
            ReportAsync(new LeakReporter.Scanner("k"), new FoundToken(issued.Token), new FoundToken(new string('a', LeakReports.MaxTokenLength + 1))));

        Assert.Equal(["body"], error.Errors.Keys);
        Assert.Equal(["[1].token"], tooLong.Errors.Keys);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(issued.Key.Id)).Status);
    }

    private Task<bool[]> ReportAsync(LeakReporter reporter, params FoundToken[] tokens) =>
        app.Services.GetRequiredService<LeakReports>().ReportAsync(reporter, tokens);
}

public sealed class SqliteLeakReportsTests(SqliteApp app) : LeakReportsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlLeakReportsTests(PostgreSqlApp app) : LeakReportsTests(app), IClassFixture<PostgreSqlApp>;

/// <summary>What is kept of where a token was found: nothing that is no plain http(s) link, and never a query string.</summary>
public sealed class LeakReportInputTests
{
    [Theory]
    [InlineData("https://github.com/o/r/blob/main/a.js", "https://github.com/o/r/blob/main/a.js")]
    [InlineData("  http://paste.example.com/x?token=pk_live_abc#L3 ", "http://paste.example.com/x")]
    [InlineData("https://user:password@example.com/x", null)]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("ftp://example.com/x", null)]
    [InlineData("/relative/path", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("not a url", null)]
    public void CleanUrl_KeepsOnlyHttpLinksWithoutQuery(string? url, string? kept)
    {
        Assert.Equal(kept, LeakReports.CleanUrl(url));
    }

    [Fact]
    public void CleanUrl_LongLink_IsCutToTheStoredLength()
    {
        var kept = LeakReports.CleanUrl("https://example.com/" + new string('a', 1500));

        Assert.Equal(500, kept!.Length);
        Assert.EndsWith("…", kept);
    }

    [Theory]
    [InlineData("Content", "content")]
    [InlineData("gist_content", "gist_content")]
    [InlineData("Pull_request_comment", "pull_request_comment")]
    [InlineData("npm", "npm")]
    [InlineData("", "unknown")]
    [InlineData(null, "unknown")]
    [InlineData("<script>", "unknown")]
    [InlineData("a\u0000b", "unknown")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "unknown")]
    public void CleanSource_KeepsAWordOrSaysUnknown(string? source, string kept)
    {
        Assert.Equal(kept, LeakReports.CleanSource(source));
    }
}
