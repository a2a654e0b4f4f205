using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Benchmarks.Audit;

/// <summary>
/// Queues <c>count</c> gateway-like decisions of <c>keys</c> keys and lets the writer drain them into a fresh SQLite
/// database, in rounds, printing the CPU time the writer spends per record. On the gateway's
/// machine the writer shares the cores with the server, so its CPU per record is what it takes
/// away from requests.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- log-writer 100000 100
/// </summary>
internal static class AuthenticationLogWriterThroughput
{
    public static async Task RunAsync(int count, int keyCount)
    {
        var directory = Directory.CreateTempSubdirectory("portal-log-bench-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Portal"] = $"Data Source={Path.Combine(directory, "portal.db")}",
            }).Build();
            await using var services = new ServiceCollection().AddMetrics().AddPortalData(configuration, directory).BuildServiceProvider();
            await services.MigratePortalDatabaseAsync();
            var options = Options.Create(new AuthenticationLogOptions { BufferCapacity = count });
            var log = new AuthenticationLog(options, services.GetRequiredService<IMeterFactory>());
            var writer = new AuthenticationLogWriter(log, services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), options, NullLogger<AuthenticationLogWriter>.Instance);
            var keys = Enumerable.Range(0, keyCount).Select(_ => (Key: Guid.NewGuid(), Organization: Guid.NewGuid(), Owner: Guid.NewGuid())).ToArray();

            for (var round = 1; round <= 4; round++)
            {
                var start = DateTimeOffset.UtcNow;
                for (var i = 0; i < count; i++)
                {
                    var key = keys[i % keys.Length];
                    log.TryAppend(new AuthenticationLogEntry(
                        OccurredAt: start.AddTicks(i * 200),
                        KeyId: key.Key,
                        OrganizationId: key.Organization,
                        OwnerId: key.Owner,
                        KeyHint: $"pk_live_Ab{i % 100:D2}…Zz{i % 100:D2}",
                        Code: "VALID",
                        Door: Doors.Check,
                        Method: "GET",
                        Path: "/orders/12345?expand=items",
                        ClientIp: "10.1.2.3",
                        UserAgent: "nginx/1.27",
                        LatencyMicroseconds: 12));
                }

                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                var written = 0;
                int batch;
                while ((batch = await writer.WriteBatchAsync()) > 0)
                {
                    written += batch;
                }

                var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                Console.WriteLine($"round {round}: {written:N0} records in {wall.Elapsed.TotalMilliseconds:N0} ms, " +
                    $"{spent.TotalMicroseconds / written:N2} µs CPU per record ({written / wall.Elapsed.TotalSeconds:N0} records/s)");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
