using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Organizations;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Usage;

/// <summary>
/// The charts' queries: the bucket size follows the range, counts are the same before and after
/// compaction, and each role sees only what it may.
/// </summary>
public abstract class UsageChartsTests(PortalApp app)
{
    [Fact]
    public async Task TimelineAsync_ThirtyDaysAfterCompaction_ReadsDaysAndKeepsEveryCount()
    {
        var owner = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(owner, owner.OrganizationId, "busy");
        var now = app.Clock.GetUtcNow();
        var rows = Enumerable.Range(0, 29 * 24).Select(h => UsageTestData.Minute(owner.OrganizationId, key, now.AddHours(-h), h % 10 == 0 ? "EXPIRED" : "VALID", 2)).ToArray();
        await app.AddMinutesAsync(rows);
        var range = UsageRange.Last(TimeSpan.FromDays(30), now);
        var before = await TimelineAsync(owner.Caller(), UsageScope.ForOrganization(owner.OrganizationId), range);

        await app.Services.GetRequiredService<UsageCompaction>().RunAsync(CancellationToken.None);
        var after = await TimelineAsync(owner.Caller(), UsageScope.ForOrganization(owner.OrganizationId), range);

        Assert.Equal(UsageGranularity.Day, after.Bucket);
        Assert.Equal(31, after.Buckets.Count);
        Assert.Equal(rows.Where(r => r.Code == "VALID").Sum(r => r.Count), after.Allowed);
        Assert.Equal(rows.Where(r => r.Code != "VALID").Sum(r => r.Count), after.Denied);
        Assert.Equal(before.Buckets, after.Buckets);
        Assert.Equal([new UsageCount("VALID", after.Allowed), new UsageCount("EXPIRED", after.Denied)], after.ByCode);
        var keyView = await TimelineAsync(owner.Caller(), UsageScope.ForKey(owner.OrganizationId, key), range);
        Assert.Equal(after.Buckets, keyView.Buckets);
    }

    [Theory]
    [InlineData("1h", UsageGranularity.Minute, 61)]
    [InlineData("24h", UsageGranularity.Hour, 25)]
    [InlineData("7d", UsageGranularity.Hour, 169)]
    [InlineData("30d", UsageGranularity.Day, 31)]
    public async Task TimelineAsync_Preset_ReadsTheRangeAtItsBucketSize(string preset, UsageGranularity bucket, int buckets)
    {
        var owner = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(owner, owner.OrganizationId, "one");
        var now = app.Clock.GetUtcNow();
        await app.AddMinutesAsync(UsageTestData.Minute(owner.OrganizationId, key, now.AddMinutes(-1), "VALID", 1));

        var timeline = await TimelineAsync(owner.Caller(), UsageScope.ForOrganization(owner.OrganizationId), UsageRange.Parse(preset, null, null, now));

        Assert.Equal(bucket, timeline.Bucket);
        // Unaligned ends round outwards to whole buckets, so the range gains one.
        Assert.Equal(now.UtcTicks % UsageTime.Length(bucket).Ticks == 0 ? buckets - 1 : buckets, timeline.Buckets.Count);
        Assert.Equal(1, timeline.Allowed);
        Assert.Single(timeline.Buckets, b => b.Allowed == 1);
    }

    [Fact]
    public void BucketFor_RangeOlderThanMinutesAreKept_ReadsHoursOrDays()
    {
        var now = app.Clock.GetUtcNow();
        using var services = app.Services.CreateScope();
        var charts = services.ServiceProvider.GetRequiredService<UsageCharts>();

        Assert.Equal(UsageGranularity.Minute, charts.BucketFor(UsageRange.Custom(now.AddMinutes(-30), now)));
        Assert.Equal(UsageGranularity.Hour, charts.BucketFor(UsageRange.Custom(now.AddDays(-3), now.AddDays(-3).AddMinutes(30))));
        Assert.Equal(UsageGranularity.Day, charts.BucketFor(UsageRange.Custom(now.AddDays(-20), now.AddDays(-20).AddMinutes(30))));
    }

    [Fact]
    public async Task Organization_EachRole_SeesWhatItMay()
    {
        var admin = await app.NewUserAsync();
        var developer = await app.NewUserAsync();
        var viewer = await app.NewUserAsync();
        var stranger = await app.NewUserAsync();
        var organization = await app.NewOrganizationAsync(admin);
        await app.AddMemberAsync(organization, developer, OrganizationRole.Developer);
        await app.AddMemberAsync(organization, viewer, OrganizationRole.Viewer);
        var adminKey = await app.NewKeyInAsync(admin, organization, "admin's");
        var developerKey = await app.NewKeyInAsync(developer, organization, "developer's");
        var now = app.Clock.GetUtcNow();
        await app.AddMinutesAsync(
            UsageTestData.Minute(organization, adminKey, now.AddMinutes(-3), "VALID", 5),
            UsageTestData.Minute(organization, developerKey, now.AddMinutes(-2), "VALID", 2));
        await app.AddLogAsync(
            Log(organization, adminKey, admin, "/admin-only", now.AddMinutes(-3)),
            Log(organization, developerKey, developer, "/developer", now.AddMinutes(-2)));
        var scope = UsageScope.ForOrganization(organization);
        var range = UsageRange.Last(TimeSpan.FromHours(1), now);

        Assert.Equal(7, (await TimelineAsync(admin.Caller(), scope, range)).Allowed);
        Assert.Equal(2, (await TimelineAsync(developer.Caller(), scope, range)).Allowed);
        // Viewers read every key of the organization, on the keys page and in its usage alike.
        Assert.Equal(7, (await TimelineAsync(viewer.Caller(), scope, range)).Allowed);
        await using var services = app.Scope();
        var charts = services.ServiceProvider.GetRequiredService<UsageCharts>();
        Assert.Null(await charts.TimelineAsync(stranger.Caller(), scope, range));
        Assert.Null(await charts.TopKeysAsync(stranger.Caller(), scope, range));
        Assert.Null(await charts.LogUsageAsync(stranger.Caller(), scope, range));

        Assert.Equal(["admin's", "developer's"], (await charts.TopKeysAsync(admin.Caller(), scope, range))!.Select(k => k.Name));
        Assert.Equal(["developer's"], (await charts.TopKeysAsync(developer.Caller(), scope, range))!.Select(k => k.Name));
        Assert.Equal(["/developer"], (await charts.LogUsageAsync(developer.Caller(), scope, range))!.TopEndpoints.Select(e => e.Path));
        Assert.Null(await charts.TimelineAsync(developer.Caller(), UsageScope.ForKey(organization, adminKey), range));
        Assert.NotNull(await charts.TimelineAsync(viewer.Caller(), UsageScope.ForKey(organization, developerKey), range));
        Assert.NotNull(await charts.TimelineAsync(admin.Caller(), UsageScope.ForKey(organization, developerKey), range));
        // A key named under another organization is not found, even for a caller who may see it.
        Assert.Null(await charts.TimelineAsync(admin.Caller(), UsageScope.ForKey(admin.OrganizationId, developerKey), range));
    }

    [Fact]
    public async Task Platform_OnlyPlatformAdministrators_SeeEveryOrganization()
    {
        var admin = await app.NewUserAsync();
        var someone = await app.NewUserAsync();
        await app.MakePlatformAdministratorAsync(admin);
        var key = await app.NewKeyInAsync(someone, someone.OrganizationId, "theirs");
        var now = app.Clock.GetUtcNow();
        await app.AddMinutesAsync(UsageTestData.Minute(someone.OrganizationId, key, now.AddMinutes(-1), "REVOKED", 4));
        var range = UsageRange.Last(TimeSpan.FromHours(1), now);
        await using var services = app.Scope();
        var charts = services.ServiceProvider.GetRequiredService<UsageCharts>();

        Assert.Null(await charts.TimelineAsync(someone.Caller(), UsageScope.Platform, range));
        // A key acting for its organization is never a platform administrator.
        Assert.Null(await charts.TimelineAsync(admin.Caller(admin.OrganizationId), UsageScope.Platform, range));
        var platform = await charts.TimelineAsync(admin.Caller(), UsageScope.Platform, range);
        Assert.True(platform!.Denied >= 4);
        Assert.Contains(await charts.TopKeysAsync(admin.Caller(), UsageScope.Platform, range) ?? [], k => k.KeyId == key);
    }

    [Fact]
    public async Task LogUsageAsync_Records_GivesTopPathsWithoutQueryAndPercentiles()
    {
        var owner = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(owner, owner.OrganizationId, "logged");
        var now = app.Clock.GetUtcNow();
        var records = Enumerable.Range(1, 100).Select(i =>
        {
            var record = Log(owner.OrganizationId, key, owner, i % 4 == 0 ? "/b?page=" + i : "/a", now.AddSeconds(-i));
            record.LatencyMicroseconds = i * 10;
            return record;
        }).ToArray();
        await app.AddLogAsync(records);
        await using var services = app.Scope();

        var usage = await services.ServiceProvider.GetRequiredService<UsageCharts>()
            .LogUsageAsync(owner.Caller(), UsageScope.ForKey(owner.OrganizationId, key), UsageRange.Last(TimeSpan.FromHours(1), now));

        Assert.Equal(100, usage!.Decisions);
        Assert.False(usage.Sampled);
        Assert.Equal([new EndpointUsage("/a", 75), new EndpointUsage("/b", 25)], usage.TopEndpoints);
        Assert.Equal([new LatencyPercentile("p50", 500), new LatencyPercentile("p95", 950), new LatencyPercentile("p99", 990)], usage.LatencyMicroseconds);
    }

    [Fact]
    public async Task EmptyRange_GivesEmptyChartsNotNull()
    {
        var owner = await app.NewUserAsync();
        var range = UsageRange.Last(TimeSpan.FromDays(7), app.Clock.GetUtcNow());
        await using var services = app.Scope();
        var charts = services.ServiceProvider.GetRequiredService<UsageCharts>();
        var scope = UsageScope.ForOrganization(owner.OrganizationId);

        Assert.True((await charts.TimelineAsync(owner.Caller(), scope, range))!.IsEmpty);
        Assert.Empty((await charts.TopKeysAsync(owner.Caller(), scope, range))!);
        Assert.True((await charts.LogUsageAsync(owner.Caller(), scope, range))!.IsEmpty);
    }

    [Theory]
    [InlineData("custom", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", "from")]
    [InlineData("custom", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "from")]
    [InlineData("custom", null, "2026-01-01T00:00:00Z", "from")]
    [InlineData("custom", "2026-01-01T00:00:00Z", null, "to")]
    [InlineData("custom", "2024-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "to")]
    [InlineData("2w", null, null, "range")]
    public void Parse_BadRange_NamesTheField(string range, string? from, string? to, string field)
    {
        var error = Assert.Throws<InvalidRequestException>(() => UsageRange.Parse(
            range, from is null ? null : DateTimeOffset.Parse(from), to is null ? null : DateTimeOffset.Parse(to), DateTimeOffset.UtcNow));

        Assert.Equal([field], error.Errors.Keys);
    }

    private async Task<UsageTimeline> TimelineAsync(Caller caller, UsageScope scope, UsageRange range)
    {
        await using var services = app.Scope();
        var timeline = await services.ServiceProvider.GetRequiredService<UsageCharts>().TimelineAsync(caller, scope, range);
        Assert.NotNull(timeline);
        return timeline;
    }

    private static AuthenticationLogRecord Log(Guid organizationId, Guid keyId, TestUser owner, string path, DateTimeOffset at) => new()
    {
        OccurredAt = at,
        KeyId = keyId,
        OrganizationId = organizationId,
        OwnerId = owner.User.Id,
        Code = "VALID",
        Door = Doors.Check,
        Path = path,
        LatencyMicroseconds = 100,
    };
}

public sealed class SqliteUsageChartsTests(SqliteApp app) : UsageChartsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlUsageChartsTests(PostgreSqlApp app) : UsageChartsTests(app), IClassFixture<PostgreSqlApp>;
