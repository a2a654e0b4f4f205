using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

public abstract class AuthenticationLogRetentionTests(PortalApp app)
{
    [Fact]
    public async Task Run_RecordsPastRetention_AreDeletedAndCounted_NewerStay()
    {
        var marker = $"/retention/{Guid.NewGuid():N}";
        var now = app.Clock.GetUtcNow();
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            await StoredLog.AddAsync(db, Record(marker + "/old", now.AddDays(-31)), Record(marker + "/older", now.AddDays(-90)), Record(marker + "/new", now.AddDays(-29)));
        }

        Assert.True(await app.RunJobAsync<AuthenticationLogRetention>() >= 2);
        Assert.Equal(0, await app.RunJobAsync<AuthenticationLogRetention>());

        await using var check = app.Scope();
        var checkDb = check.ServiceProvider.GetRequiredService<PortalDbContext>();
        var left = (await StoredLog.AllAsync(checkDb)).Where(r => r.Path!.StartsWith(marker, StringComparison.Ordinal)).Select(r => r.Path).ToList();
        Assert.Equal([marker + "/new"], left);
        Assert.True(await checkDb.AuditRecords.AnyAsync(a => a.Action == AuditActions.JobCompleted && a.TargetId == AuthenticationLogRetention.JobName));
    }

    [Fact]
    public async Task Run_SegmentWithARecordInsideRetention_IsKeptWhole()
    {
        var marker = $"/retention/{Guid.NewGuid():N}";
        var now = app.Clock.GetUtcNow();
        var key = Guid.NewGuid();
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            await StoredLog.AddBatchAsync(db, Entry(key, marker + "/old", now.AddDays(-31)), Entry(key, marker + "/new", now.AddDays(-29)));
        }

        await app.RunJobAsync<AuthenticationLogRetention>();

        await using var check = app.Scope();
        var left = (await StoredLog.AllAsync(check.ServiceProvider.GetRequiredService<PortalDbContext>()))
            .Where(r => r.Path!.StartsWith(marker, StringComparison.Ordinal)).Select(r => r.Path);
        Assert.Equal([marker + "/old", marker + "/new"], left);
    }

    private static AuthenticationLogEntry Entry(Guid key, string path, DateTimeOffset at) =>
        new(at, key, key, key, null, "VALID", Doors.Check, "GET", path, null, null, 1);

    private static AuthenticationLogRecord Record(string path, DateTimeOffset at) => new()
    {
        OccurredAt = at,
        Code = "NOT_FOUND",
        Door = Doors.Check,
        Method = "GET",
        Path = path,
    };
}

public sealed class SqliteAuthenticationLogRetentionTests(SqliteApp app) : AuthenticationLogRetentionTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAuthenticationLogRetentionTests(PostgreSqlApp app) : AuthenticationLogRetentionTests(app), IClassFixture<PostgreSqlApp>;
