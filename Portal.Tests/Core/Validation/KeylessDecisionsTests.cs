using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Usage;
using Portal.Core.Validation;
using Portal.Tests.Core.Audit;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Validation;

/// <summary>Decisions without a usable key become one authentication log record per address, door, code and minute.</summary>
public sealed class KeylessDecisionsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("portal-keyless-test-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 12, 0, 5, TimeSpan.Zero));
    private ServiceProvider _services = null!;
    private AuthenticationLog _log = null!;
    private DecisionRecorder _recorder = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(_directory, "portal.db")}",
        }).Build();
        _services = new ServiceCollection().AddMetrics().AddPortalData(configuration, _directory).BuildServiceProvider();
        await _services.MigratePortalDatabaseAsync();
        var meters = _services.GetRequiredService<IMeterFactory>();
        _log = new AuthenticationLog(Options.Create(new AuthenticationLogOptions { BufferCapacity = 20_000 }), meters);
        _recorder = new DecisionRecorder(new UsageCounters(), _log, _clock, meters);
    }

    public async Task DisposeAsync()
    {
        _recorder.Dispose();
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TenThousandGarbageTokensFromOneAddressInAMinute_AreOneRecordWithTheirCount()
    {
        var organization = Guid.NewGuid();
        for (var i = 0; i < 10_000; i++)
        {
            var token = $"garbage-{Guid.NewGuid():N}";
            _recorder.Record(ValidationResult.NotFound, token, Source("203.0.113.9", $"/p/{i}", organization));
            _clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        // Nothing reached the log's queue yet: one group waits for its minute to end.
        Assert.Equal(0, _log.Reader.Count);
        Assert.Equal(1, _recorder.Keyless.Pending);

        // The minute ends: its timer appends the record.
        _clock.Advance(TimeSpan.FromMinutes(1));
        await WriteAsync();

        var record = Assert.Single(await StoredAsync());
        // An unknown token may be another tenant's key: filed in no organization's log, even at a door that has one.
        Assert.Equal((10_000, "NOT_FOUND", "203.0.113.9", "/p/0", (Guid?)null, (Guid?)null), (record.Count, record.Code, record.ClientIp, record.Path, record.OrganizationId, record.KeyId));
        Assert.Equal(0, _log.Dropped);
    }

    [Fact]
    public async Task Groups_AreByAddressDoorCodeAndMinute_AndTheNextMinutesFirstDecisionEndsThePrevious()
    {
        _recorder.Record(ValidationResult.Malformed, null, Source("203.0.113.1"));
        _recorder.Record(ValidationResult.Malformed, null, Source("203.0.113.1"));
        _recorder.Record(ValidationResult.NotFound, null, Source("203.0.113.1"));
        _recorder.Record(ValidationResult.Malformed, null, Source("203.0.113.2"));
        _recorder.Record(ValidationResult.Malformed, null, Source("203.0.113.1") with { Door = Doors.Verify });
        Assert.Equal(4, _recorder.Keyless.Pending);

        _clock.Advance(TimeSpan.FromSeconds(55));
        _recorder.Record(ValidationResult.Malformed, null, Source("203.0.113.1"));
        await WriteAsync();

        var stored = await StoredAsync();
        Assert.Equal(
            ["203.0.113.1 check MALFORMED ×2", "203.0.113.1 check NOT_FOUND ×1", "203.0.113.1 verify MALFORMED ×1", "203.0.113.2 check MALFORMED ×1"],
            stored.Select(r => $"{r.ClientIp} {r.Door} {r.Code} ×{r.Count}").Order(StringComparer.Ordinal));
        Assert.Equal(1, _recorder.Keyless.Pending);
    }

    [Fact]
    public async Task MoreGroupsThanTheBound_FoldIntoOneOverflowRecord()
    {
        for (var i = 0; i < KeylessDecisions.MaxGroups + 250; i++)
        {
            _recorder.Record(ValidationResult.Malformed, null, Source($"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"));
        }

        Assert.Equal(KeylessDecisions.MaxGroups + 1, _recorder.Keyless.Pending);
        _recorder.Keyless.Flush();
        var entries = new List<AuthenticationLogEntry>();
        while (_log.Reader.TryRead(out var entry))
        {
            entries.Add(entry);
        }

        Assert.Equal(KeylessDecisions.MaxGroups + 1, entries.Count);
        var overflow = Assert.Single(entries, e => e.ClientIp is null);
        Assert.Equal(250, overflow.Count);
        Assert.Equal(KeylessDecisions.MaxGroups + 250, entries.Sum(e => e.Count));
    }

    private DecisionSource Source(string clientIp, string path = "/orders", Guid? organizationId = null) =>
        new(Doors.Check, "GET", path, clientIp, "curl/8", Stopwatch.GetTimestamp(), organizationId);

    private async Task WriteAsync()
    {
        var writer = new AuthenticationLogWriter(
            _log,
            _services.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
            Options.Create(new AuthenticationLogOptions { BatchSize = 100 }),
            LoggerFactory.Create(b => b.AddProvider(new CapturedLogs())).CreateLogger<AuthenticationLogWriter>());
        while (await writer.WriteBatchAsync() > 0)
        {
        }
    }

    private async Task<List<AuthenticationLogRecord>> StoredAsync()
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await StoredLog.AllAsync(db);
    }
}
