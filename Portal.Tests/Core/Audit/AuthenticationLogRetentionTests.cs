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
            db.AuthenticationLog.AddRange(Record(marker + "/old", now.AddDays(-31)), Record(marker + "/older", now.AddDays(-90)), Record(marker + "/new", now.AddDays(-29)));
            await db.SaveChangesAsync();
        }

        Assert.True(await app.RunJobAsync<AuthenticationLogRetention>() >= 2);
        Assert.Equal(0, await app.RunJobAsync<AuthenticationLogRetention>());

        await using var check = app.Scope();
        var checkDb = check.ServiceProvider.GetRequiredService<PortalDbContext>();
        var left = await checkDb.AuthenticationLog.Where(r => r.Path!.StartsWith(marker)).Select(r => r.Path).ToListAsync();
        Assert.Equal([marker + "/new"], left);
        Assert.True(await checkDb.AuditRecords.AnyAsync(a => a.Action == AuditActions.JobCompleted && a.TargetId == AuthenticationLogRetention.JobName));
    }

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
