using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Portal.Core.Data;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The whole product on a real database: a fresh SQLite file, or a fresh database on the
/// PostgreSQL the test command starts (<c>PORTAL_TEST_POSTGRES</c>). Time is a fake clock.
/// </summary>
public abstract class PortalApp : WebApplicationFactory<Program>
{
    protected PortalApp(DatabaseProvider provider)
    {
        Provider = provider;
        DataDirectory = Directory.CreateTempSubdirectory("portal-test-").FullName;
        ConnectionString = provider switch
        {
            DatabaseProvider.Sqlite => $"Data Source={Path.Combine(DataDirectory, "portal.db")}",
            DatabaseProvider.PostgreSql => PostgresConnectionString(),
            _ => throw new NotSupportedException($"{provider} cannot run on this machine."),
        };
    }

    public DatabaseProvider Provider { get; }

    public string DataDirectory { get; }

    public string ConnectionString { get; }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Every log line the app wrote, to prove no token reaches the logs.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("ConnectionStrings:Portal", ConnectionString);
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        // Tests run the jobs themselves, with the fake clock; a Hangfire server would race them.
        builder.UseSetting("Jobs:RunServer", "false");
        // The webhook tests' receiver listens on loopback without TLS.
        builder.UseSetting("Webhooks:AllowLoopbackHttp", "true");
        if (AcceptsLeakReports)
        {
            builder.UseSetting("LeakReports:PublicKeys:0:KeyIdentifier", LeakScanner.KeyIdentifier);
            builder.UseSetting("LeakReports:PublicKeys:0:PublicKeyPem", LeakScanner.PublicKeyPem);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureTestServices(services => services
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton<IStartupFilter, RawTargets.Filter>());
    }

    /// <summary>Whether the test scanner's key verifies leak reports (<see cref="LeakScanner"/>); an app without one answers them 404.</summary>
    protected virtual bool AcceptsLeakReports => true;

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is left for the OS's temp cleanup.
            }
        }

        if (disposing && Provider == DatabaseProvider.PostgreSql)
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(AdminConnectionString());
            connection.Open();
            var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
    }

    private static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "PORTAL_TEST_POSTGRES is not set. Run the tests with scripts/test.sh, which starts PostgreSQL on loopback.");

    private static string PostgresConnectionString() =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString()) { Database = $"portal_test_{Guid.NewGuid():N}" }.ConnectionString;
}

public sealed class SqliteApp() : PortalApp(DatabaseProvider.Sqlite);

public sealed class PostgreSqlApp() : PortalApp(DatabaseProvider.PostgreSql);
