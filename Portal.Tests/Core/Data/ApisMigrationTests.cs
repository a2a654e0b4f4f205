using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Portal.Core.Apis;
using Portal.Core.Data;

namespace Portal.Tests.Core.Data;

/// <summary>
/// The migration that moves endpoint rules from organizations to APIs, run on a real database that
/// holds data from before it: every organization gets one API with its rules and its choice for
/// unmatched requests, accepting both environments; a database without users gets no registration row.
/// </summary>
public sealed class ApisMigrationTests
{
    private const string Before = "AuthenticationLogSegments";

    [Fact]
    public async Task Migrate_Sqlite_MovesRulesAndChoiceToOneApiPerOrganization()
    {
        var file = Path.Combine(Path.GetTempPath(), $"portal-migration-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite($"Data Source={file}").Options);
            await AssertDataMovedAsync(db, (org, other, rule) => $"""
                INSERT INTO "Organizations" ("Id", "Name", "IsPersonal", "CreatedAt", "AllowUnmatchedRequests") VALUES ('{Text(org)}', 'acme', 0, 0, 1);
                INSERT INTO "Organizations" ("Id", "Name", "IsPersonal", "CreatedAt", "AllowUnmatchedRequests") VALUES ('{Text(other)}', 'other', 1, 0, 0);
                INSERT INTO "EndpointRules" ("Id", "OrganizationId", "Method", "PathTemplate", "Scope", "CreatedAt") VALUES ('{Text(rule)}', '{Text(org)}', 'GET', '/orders/all', 'orders:read', 0);
                """);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Migrate_PostgreSql_MovesRulesAndChoiceToOneApiPerOrganization()
    {
        var admin = Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES")
            ?? throw new InvalidOperationException("PORTAL_TEST_POSTGRES is not set. Run the tests with scripts/test.sh, which starts PostgreSQL on loopback.");
        var connection = new NpgsqlConnectionStringBuilder(admin) { Database = $"portal_migration_{Guid.NewGuid():N}" }.ConnectionString;
        try
        {
            await using var db = new PostgreSqlPortalDbContext(new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql(connection).Options);
            await AssertDataMovedAsync(db, (org, other, rule) => $"""
                INSERT INTO "Organizations" ("Id", "Name", "IsPersonal", "CreatedAt", "AllowUnmatchedRequests") VALUES ('{org}', 'acme', FALSE, now(), TRUE);
                INSERT INTO "Organizations" ("Id", "Name", "IsPersonal", "CreatedAt", "AllowUnmatchedRequests") VALUES ('{other}', 'other', TRUE, now(), FALSE);
                INSERT INTO "EndpointRules" ("Id", "OrganizationId", "Method", "PathTemplate", "Scope", "CreatedAt") VALUES ('{rule}', '{org}', 'GET', '/orders/all', 'orders:read', now());
                """);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = new NpgsqlConnection(admin);
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connection).Database}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task AssertDataMovedAsync(PortalDbContext db, Func<Guid, Guid, Guid, string> seed)
    {
        var migrator = db.GetService<IMigrator>();
        var before = db.Database.GetMigrations().Single(m => m.EndsWith("_" + Before, StringComparison.Ordinal));
        await migrator.MigrateAsync(before);
        Guid org = Guid.NewGuid(), other = Guid.NewGuid(), rule = Guid.NewGuid();
        await db.Database.ExecuteSqlRawAsync(seed(org, other, rule));

        await migrator.MigrateAsync();

        var apis = await db.Apis.AsNoTracking().OrderBy(a => a.Name == "Default API" && a.OrganizationId == org ? 0 : 1).ToListAsync();
        Assert.Equal(2, apis.Count);
        var moved = apis.Single(a => a.OrganizationId == org);
        Assert.Equal("Default API", moved.Name);
        Assert.True(moved.AllowUnmatchedRequests);
        Assert.Equal(ApiEnvironments.Both, moved.Environments);
        Assert.False(moved.CaseSensitivePaths);
        Assert.False(apis.Single(a => a.OrganizationId == other).AllowUnmatchedRequests);
        var movedRule = await db.EndpointRules.AsNoTracking().SingleAsync(r => r.Id == rule);
        Assert.Equal(moved.Id, movedRule.ApiId);
        Assert.Empty(await db.PlatformSettings.AsNoTracking().ToListAsync());
    }

    // EF Core stores a Guid in SQLite as upper-case text.
    private static string Text(Guid id) => id.ToString().ToUpperInvariant();
}
