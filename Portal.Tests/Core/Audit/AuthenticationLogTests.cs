using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>
/// The authentication log's bounded buffer: when the writer falls behind, records are dropped and
/// counted, never waited for, and the writer warns with the count.
/// </summary>
public sealed class AuthenticationLogTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("portal-log-test-").FullName;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(_directory, "portal.db")}",
        }).Build();
        _services = new ServiceCollection().AddMetrics().AddPortalData(configuration, _directory).BuildServiceProvider();
        await _services.MigratePortalDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TryAppend_BufferFullAndNoWriter_DropsAndCountsWithoutBlocking()
    {
        var log = NewLog(capacity: 10);

        // Nothing drains the buffer. A blocking append would never finish; the timeout only guards against a hang.
        var accepted = await Task.Run(() => Enumerable.Range(0, 10_000).Count(i => log.TryAppend(Record($"/r/{i}"))))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(10, accepted);
        Assert.Equal(9_990, log.Dropped);
    }

    [Fact]
    public void TryAppend_BufferFull_ReportsDropsAsMetric()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        var log = new AuthenticationLog(Options.Create(new AuthenticationLogOptions { BufferCapacity = 2 }), meters);
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AuthenticationLog.MeterName && instrument.Name == "portal.authentication_log.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref measured, value));
        listener.Start();

        for (var i = 0; i < 5; i++)
        {
            log.TryAppend(Record("/m"));
        }

        Assert.Equal(3, log.Dropped);
        Assert.Equal(3, Interlocked.Read(ref measured));
    }

    [Fact]
    public async Task WriteBatch_AfterDrops_WarnsWithTheCountAndWritesWhatWasKept()
    {
        var log = NewLog(capacity: 3);
        var logs = new CapturedLogs();
        var writer = NewWriter(log, logs, batchSize: 100);
        for (var i = 0; i < 8; i++)
        {
            log.TryAppend(Record($"/kept-or-dropped/{i}"));
        }

        var written = await writer.WriteBatchAsync();

        Assert.Equal(3, written);
        var warning = Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Contains("5 records dropped (5 since start)", warning);
        await using var db = await _services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(["/kept-or-dropped/0", "/kept-or-dropped/1", "/kept-or-dropped/2"], (await StoredLog.AllAsync(db)).Select(r => r.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteBatch_NoNewDrops_DoesNotWarnAgain()
    {
        var log = NewLog(capacity: 1);
        var logs = new CapturedLogs();
        var writer = NewWriter(log, logs, batchSize: 100);
        log.TryAppend(Record("/a"));
        log.TryAppend(Record("/b"));
        await writer.WriteBatchAsync();

        log.TryAppend(Record("/c"));
        await writer.WriteBatchAsync();
        log.TryAppend(Record("/d"));
        log.TryAppend(Record("/e"));
        await writer.WriteBatchAsync();

        var warnings = logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("1 records dropped (1 since start)", warnings[0]);
        Assert.Contains("1 records dropped (2 since start)", warnings[1]);
    }

    [Fact]
    public async Task WriteBatch_MoreThanOneBatchQueued_WritesOneBatchAtATime()
    {
        var log = NewLog(capacity: 100);
        var writer = NewWriter(log, new CapturedLogs(), batchSize: 4);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(log.TryAppend(Record($"/batch/{i}")));
        }

        Assert.Equal(4, await writer.WriteBatchAsync());
        Assert.Equal(4, await writer.WriteBatchAsync());
        Assert.Equal(2, await writer.WriteBatchAsync());
        Assert.Equal(0, await writer.WriteBatchAsync());
        Assert.Equal(0, log.Dropped);
    }

    [Fact]
    public async Task WriteBatch_EveryField_ReadsBackThroughEfUnchanged()
    {
        var log = NewLog(capacity: 10);
        var writer = NewWriter(log, new CapturedLogs(), batchSize: 100);
        var at = new DateTimeOffset(2026, 11, 25, 20, 15, 30, 123, TimeSpan.Zero);
        var entry = new AuthenticationLogEntry(at, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "pk_test_0123…GJsc", "VALID", Doors.Check,
            "DELETE", "/orders/42?expand=items", "2001:db8::7", "nginx/1.27 (ünïcode)", 1234);
        log.TryAppend(entry);
        log.TryAppend(entry with { KeyId = null, OrganizationId = null, OwnerId = null, KeyHint = null, Method = null, Path = null, ClientIp = null, UserAgent = "", Code = "MALFORMED" });

        Assert.Equal(2, await writer.WriteBatchAsync());

        await using var db = await _services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        // Found through EF's own parameters: the segment's Guids are stored in the form EF compares with.
        var segment = await db.AuthenticationLogSegments.SingleAsync(s => s.KeyId == entry.KeyId && s.OrganizationId == entry.OrganizationId && s.OwnerId == entry.OwnerId);
        Assert.Equal(entry, Assert.Single(AuthenticationLogSegmentCodec.Decode(segment)).ToEntry());
        var malformed = Assert.Single(await StoredLog.AllAsync(db), r => r.Code == "MALFORMED");
        Assert.Equal("", malformed.UserAgent);
        Assert.Null(malformed.KeyHint);
        Assert.Null(malformed.KeyId);
    }

    [Fact]
    public async Task WriteBatch_ManyRecords_GivesUniqueIdsInTheirTimeOrder()
    {
        var log = NewLog(capacity: 1000);
        var writer = NewWriter(log, new CapturedLogs(), batchSize: 1000);
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < 600; i++)
        {
            log.TryAppend(Record($"/ordered/{i:D4}") with { OccurredAt = start.AddMilliseconds(i / 3) });
        }

        await writer.WriteBatchAsync();

        await using var db = await _services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var records = await StoredLog.AllAsync(db);
        Assert.Equal(600, records.Select(r => r.Id).Distinct().Count());
        Assert.All(records, r => Assert.Equal(7, r.Id.Version));
        Assert.All(records, r => Assert.Equal(r.OccurredAt.ToUnixTimeMilliseconds(), UnixMilliseconds(r.Id)));
        var byId = records.OrderBy(r => r.Id.ToString(), StringComparer.Ordinal).Select(r => r.OccurredAt).ToList();
        Assert.Equal(byId.Order(), byId);
    }

    [Fact]
    public async Task WriteBatch_AfterAWriteFailed_WritesTheNextBatch()
    {
        var log = NewLog(capacity: 10);
        var logs = new CapturedLogs();
        var writer = NewWriter(log, logs, batchSize: 100);
        log.TryAppend(Record("/before"));
        await writer.WriteBatchAsync();
        await using (var scope = _services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.ExecuteSqlRawAsync("ALTER TABLE \"AuthenticationLogSegments\" RENAME TO \"Away\"");
        }

        log.TryAppend(Record("/lost"));
        Assert.Equal(1, await writer.WriteBatchAsync());
        Assert.Single(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));

        await using (var scope = _services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.ExecuteSqlRawAsync("ALTER TABLE \"Away\" RENAME TO \"AuthenticationLogSegments\"");
        }

        log.TryAppend(Record("/after"));
        Assert.Equal(1, await writer.WriteBatchAsync());
        await using var db = await _services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(["/after", "/before"], (await StoredLog.AllAsync(db)).Select(r => r.Path).Order(StringComparer.Ordinal));
    }

    private AuthenticationLog NewLog(int capacity) =>
        new(Options.Create(new AuthenticationLogOptions { BufferCapacity = capacity }), _services.GetRequiredService<IMeterFactory>());

    private AuthenticationLogWriter NewWriter(AuthenticationLog log, CapturedLogs logs, int batchSize) => new(
        log,
        _services.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
        Options.Create(new AuthenticationLogOptions { BatchSize = batchSize }),
        LoggerFactory.Create(b => b.AddProvider(logs)).CreateLogger<AuthenticationLogWriter>());

    private static AuthenticationLogEntry Record(string path) =>
        new(DateTimeOffset.UtcNow, null, null, null, null, "NOT_FOUND", Doors.Check, "GET", path, null, null, 0);

    private static long UnixMilliseconds(Guid id)
    {
        var bytes = id.ToByteArray(bigEndian: true);
        return ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
    }
}
