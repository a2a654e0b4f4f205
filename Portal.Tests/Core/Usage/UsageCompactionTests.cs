using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Usage;

/// <summary>
/// Compaction moves minutes into hours and hours into days without losing or doubling a count,
/// when run twice and when several nodes run it at once.
/// </summary>
public abstract class UsageCompactionTests(PortalApp app)
{
    [Fact]
    public async Task RunAsync_OldMinutes_MovesThemIntoHoursAndDaysAndKeepsTotals()
    {
        var (keys, organizations) = await SeedTenDaysAsync();
        var before = await app.TotalsAsync(keys, organizations);

        var result = await app.Services.GetRequiredService<UsageCompaction>().RunAsync(CancellationToken.None);

        Assert.True(result.MinuteRowsCompacted > 0);
        Assert.True(result.HourRowsCompacted > 0);
        var after = await app.TotalsAsync(keys, organizations);
        Assert.Equal(before.PerKey, after.PerKey);
        Assert.Equal(before.PerOrganization, after.PerOrganization);

        var now = app.Clock.GetUtcNow();
        var options = app.Services.GetRequiredService<IOptions<UsageOptions>>().Value;
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var minuteCutoff = UsageTime.Floor(now - options.MinutesKeptFor, UsageGranularity.Hour);
        var hourCutoff = UsageTime.Floor(now - options.HoursKeptFor, UsageGranularity.Day);
        Assert.False(await db.UsageRollups.AnyAsync(u => keys.Contains(u.KeyId) && u.Minute < minuteCutoff));
        Assert.True(await db.UsageRollups.AnyAsync(u => keys.Contains(u.KeyId)), "the last hours stay at minute resolution");
        var periods = await db.UsagePeriods.AsNoTracking().Where(p => organizations.Contains(p.OrganizationId)).ToListAsync();
        Assert.DoesNotContain(periods, p => p.Granularity == UsageGranularity.Hour && p.Start < hourCutoff);
        Assert.Contains(periods, p => p.Granularity == UsageGranularity.Hour);
        Assert.Contains(periods, p => p.Granularity == UsageGranularity.Day && p.KeyId == null);
        Assert.All(periods, p => Assert.Equal(UsageTime.Floor(p.Start, p.Granularity), p.Start));
    }

    [Fact]
    public async Task RunAsync_Twice_SecondRunMovesNothing()
    {
        var (keys, organizations) = await SeedTenDaysAsync();
        var compaction = app.Services.GetRequiredService<UsageCompaction>();
        await compaction.RunAsync(CancellationToken.None);
        var first = await app.TotalsAsync(keys, organizations);
        var rows = await RowCountAsync(organizations);

        var second = await compaction.RunAsync(CancellationToken.None);

        Assert.Equal(new UsageCompactionResult(0, 0, 0, 0), second);
        var again = await app.TotalsAsync(keys, organizations);
        Assert.Equal(first.PerKey, again.PerKey);
        Assert.Equal(first.PerOrganization, again.PerOrganization);
        Assert.Equal(rows, await RowCountAsync(organizations));
    }

    [Fact]
    public async Task RunAsync_SeveralNodesAtOnce_CountsEveryRowOnce()
    {
        var (keys, organizations) = await SeedTenDaysAsync();
        var before = await app.TotalsAsync(keys, organizations);
        // Small batches make the runs interleave many times.
        var nodes = Enumerable.Range(0, 3).Select(_ => new UsageCompaction(
            app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
            Options.Create(new UsageOptions { CompactionBatchSize = 100 }),
            app.Clock,
            NullLogger<UsageCompaction>.Instance)).ToList();

        await Task.WhenAll(nodes.Select(n => Task.Run(() => n.RunAsync(CancellationToken.None))));
        await nodes[0].RunAsync(CancellationToken.None);

        var after = await app.TotalsAsync(keys, organizations);
        Assert.Equal(before.PerKey, after.PerKey);
        Assert.Equal(before.PerOrganization, after.PerOrganization);
        await using var scope = app.Scope();
        var cutoff = UsageTime.Floor(app.Clock.GetUtcNow() - new UsageOptions().MinutesKeptFor, UsageGranularity.Hour);
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().UsageRollups.AnyAsync(u => keys.Contains(u.KeyId) && u.Minute < cutoff));
    }

    [Fact]
    public async Task RunAsync_MinuteArrivingAfterItsHourWasCompacted_IsAddedByTheNextRun()
    {
        var owner = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(owner, owner.OrganizationId, "late");
        var old = app.Clock.GetUtcNow().AddHours(-5);
        await app.AddMinutesAsync(UsageTestData.Minute(owner.OrganizationId, key, old, "VALID", 3));
        var compaction = app.Services.GetRequiredService<UsageCompaction>();
        await compaction.RunAsync(CancellationToken.None);

        await app.AddMinutesAsync(UsageTestData.Minute(owner.OrganizationId, key, old.AddMinutes(1), "VALID", 2));
        await compaction.RunAsync(CancellationToken.None);

        var totals = await app.TotalsAsync([key], [owner.OrganizationId]);
        Assert.Equal(5, totals.PerKey[(key, "VALID")]);
        Assert.Equal(5, totals.PerOrganization[(owner.OrganizationId, "VALID")]);
    }

    [Fact]
    public async Task KeyUsageApi_AfterCompaction_ReportsCompactedCountsAtTheirPeriodStart()
    {
        var owner = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(owner, owner.OrganizationId, "api");
        var now = app.Clock.GetUtcNow();
        await app.AddMinutesAsync(
            UsageTestData.Minute(owner.OrganizationId, key, now.AddDays(-10), "VALID", 4),
            UsageTestData.Minute(owner.OrganizationId, key, now.AddHours(-5), "VALID", 3),
            UsageTestData.Minute(owner.OrganizationId, key, now.AddMinutes(-1), "VALID", 1));

        await app.Services.GetRequiredService<UsageCompaction>().RunAsync(CancellationToken.None);

        await using var scope = app.Scope();
        var points = await scope.ServiceProvider.GetRequiredService<UsageQuery>().KeyMinutesAsync(owner.Caller(), key, TimeSpan.FromDays(31));
        Assert.Equal(
            [
                new UsagePoint(UsageTime.Floor(now.AddDays(-10), UsageGranularity.Day), "VALID", 4),
                new UsagePoint(UsageTime.Floor(now.AddHours(-5), UsageGranularity.Hour), "VALID", 3),
                new UsagePoint(UsageTime.Floor(now.AddMinutes(-1), UsageGranularity.Minute), "VALID", 1),
            ],
            points);
    }

    /// <summary>Two organizations, three keys, usage every 37 minutes over ten days with two codes.</summary>
    private async Task<(List<Guid> Keys, List<Guid> Organizations)> SeedTenDaysAsync()
    {
        var first = await app.NewUserAsync();
        var second = await app.NewUserAsync();
        var keys = new List<(Guid Organization, Guid Key)>
        {
            (first.OrganizationId, await app.NewKeyInAsync(first, first.OrganizationId, "a")),
            (first.OrganizationId, await app.NewKeyInAsync(first, first.OrganizationId, "b")),
            (second.OrganizationId, await app.NewKeyInAsync(second, second.OrganizationId, "c")),
        };
        var now = app.Clock.GetUtcNow();
        var rows = new List<UsageRollup>();
        var i = 0;
        for (var at = now.AddDays(-10); at < now; at = at.AddMinutes(37), i++)
        {
            var (organization, key) = keys[i % keys.Count];
            rows.Add(UsageTestData.Minute(organization, key, at, i % 5 == 0 ? "REVOKED" : "VALID", 1 + i % 4));
            if (i % 7 == 0)
            {
                // A second row for the same minute, as two flushes of one minute write.
                rows.Add(UsageTestData.Minute(organization, key, at, "VALID", 2));
            }
        }

        await app.AddMinutesAsync([.. rows]);
        return ([.. keys.Select(k => k.Key)], [first.OrganizationId, second.OrganizationId]);
    }

    private async Task<(int Minutes, int Periods)> RowCountAsync(List<Guid> organizations)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return (await db.UsageRollups.CountAsync(u => organizations.Contains(u.OrganizationId)), await db.UsagePeriods.CountAsync(p => organizations.Contains(p.OrganizationId)));
    }
}

public sealed class SqliteUsageCompactionTests(SqliteApp app) : UsageCompactionTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlUsageCompactionTests(PostgreSqlApp app) : UsageCompactionTests(app), IClassFixture<PostgreSqlApp>;
