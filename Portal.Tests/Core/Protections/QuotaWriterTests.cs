using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;

namespace Portal.Tests.Core.Protections;

/// <summary>
/// The quota writer against a real database: a drained count is stored on its key, a count taken
/// against an older setting of the quota (another stamp) is not, and a failed write is retried.
/// </summary>
public abstract class QuotaWriterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Noon);

    protected abstract IDbContextFactory<PortalDbContext> Contexts { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task Flush_DrainedCount_IsStoredOnTheKey()
    {
        var stamp = Guid.NewGuid();
        var keyId = await AddKeyAsync(stamp, remaining: 10);
        using var store = new InMemoryRateLimitStore(_clock);
        var plan = RateLimitRules.Plan([], new QuotaPlan(10, Noon, null, stamp))!;
        store.TryAcquire(keyId, plan, 3, Noon.AddSeconds(1));
        store.TryAcquire(keyId, plan, 1, Noon.AddSeconds(2));
        var writer = Writer(store);

        var updated = await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(1, updated);
        var key = await ReadAsync(keyId);
        Assert.Equal(6, key.QuotaRemaining);
        Assert.Equal(Noon.AddSeconds(2), key.QuotaAsOf);
        Assert.Equal(stamp, key.QuotaStamp);
        Assert.Equal(0, await writer.FlushAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Flush_CountOfAnOlderStamp_LeavesTheNewSettingAlone()
    {
        var keyId = await AddKeyAsync(Guid.NewGuid(), remaining: 500);
        using var store = new InMemoryRateLimitStore(_clock);
        var stale = RateLimitRules.Plan([], new QuotaPlan(10, Noon, null, Guid.NewGuid()))!;
        store.TryAcquire(keyId, stale, 1, Noon);

        var updated = await Writer(store).FlushAsync(CancellationToken.None);

        Assert.Equal(0, updated);
        var key = await ReadAsync(keyId);
        Assert.Equal(500, key.QuotaRemaining);
        Assert.Equal(Noon.AddDays(-1), key.QuotaAsOf);
    }

    [Fact]
    public async Task Flush_DatabaseFails_KeepsTheCountsForTheNextFlush()
    {
        var stamp = Guid.NewGuid();
        var keyId = await AddKeyAsync(stamp, remaining: 10);
        using var store = new InMemoryRateLimitStore(_clock);
        var plan = RateLimitRules.Plan([], new QuotaPlan(10, Noon, null, stamp))!;
        store.TryAcquire(keyId, plan, 1, Noon);
        var down = true;
        var writer = new QuotaWriter(
            store,
            new Factory(() => down ? throw new InvalidOperationException("The database is down.") : Contexts.CreateDbContext()),
            _clock,
            NullLogger<QuotaWriter>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.FlushAsync(CancellationToken.None));
        down = false;
        var updated = await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(1, updated);
        Assert.Equal(9, (await ReadAsync(keyId)).QuotaRemaining);
    }

    private QuotaWriter Writer(IRateLimitStore store) => new(store, Contexts, _clock, NullLogger<QuotaWriter>.Instance);

    private async Task<Guid> AddKeyAsync(Guid stamp, long remaining)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var organization = new Organization { Name = "acme", CreatedAt = Noon };
        var owner = new PortalUser { UserName = $"{Guid.NewGuid():N}@example.test", PersonalOrganizationId = organization.Id, CreatedAt = Noon };
        var key = new ApiKey
        {
            Name = "quota key",
            Hint = "pk_live_abcd…wxyz",
            OrganizationId = organization.Id,
            OwnerId = owner.Id,
            CreatedAt = Noon,
            UpdatedAt = Noon,
            QuotaRemaining = remaining,
            QuotaAsOf = Noon.AddDays(-1),
            QuotaStamp = stamp,
        };
        db.AddRange(organization, owner, key);
        await db.SaveChangesAsync();
        return key.Id;
    }

    private async Task<ApiKey> ReadAsync(Guid keyId)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == keyId);
    }

    private sealed class Factory(Func<PortalDbContext> create) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => create();
    }

    /// <summary>On SQLite, in a file of its own.</summary>
    public sealed class Sqlite : QuotaWriterTests
    {
        private readonly string _file = Path.Combine(Path.GetTempPath(), $"portal-quota-{Guid.NewGuid():N}.db");

        protected override IDbContextFactory<PortalDbContext> Contexts => new Factory(() =>
            new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite($"Data Source={_file}").Options));

        public override async Task InitializeAsync()
        {
            await using var db = await Contexts.CreateDbContextAsync();
            await db.Database.EnsureCreatedAsync();
        }

        public override Task DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            File.Delete(_file);
            return Task.CompletedTask;
        }
    }

    /// <summary>On PostgreSQL, in a database of its own on the server the test command starts.</summary>
    public sealed class PostgreSql : QuotaWriterTests
    {
        private readonly string _admin = Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES")
            ?? throw new InvalidOperationException("PORTAL_TEST_POSTGRES is not set. Run the tests with scripts/test.sh, which starts PostgreSQL on loopback.");

        private readonly string _database = $"portal_quota_{Guid.NewGuid():N}";

        private string Connection => new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString;

        protected override IDbContextFactory<PortalDbContext> Contexts => new Factory(() =>
            new PostgreSqlPortalDbContext(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql(Connection).Options));

        public override async Task InitializeAsync()
        {
            await using var db = await Contexts.CreateDbContextAsync();
            await db.Database.EnsureCreatedAsync();
        }

        public override async Task DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = new NpgsqlConnection(_admin);
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
