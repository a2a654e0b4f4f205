using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Tests.Core.Data;

/// <summary>
/// Each provider's migrations hold the whole model. The contexts are only built, never opened:
/// SQL Server cannot run here, and the check needs no connection.
/// </summary>
public sealed class MigrationsTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql, DatabaseProvider.SqlServer];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Model_EveryProvider_HasNoChangesMissingFromMigrations(DatabaseProvider provider)
    {
        using var context = Create(provider);

        Assert.False(context.Database.HasPendingModelChanges(), $"{provider}: the model has changes no migration holds; run scripts/add-migration.sh.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_EveryProvider_AreNotEmpty(DatabaseProvider provider)
    {
        using var context = Create(provider);

        Assert.NotEmpty(context.Database.GetMigrations());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_EveryProvider_AreItsOwn(DatabaseProvider provider)
    {
        using var context = Create(provider);
        var names = context.Database.GetMigrations().ToList();

        foreach (var other in Enum.GetValues<DatabaseProvider>().Where(p => p != provider))
        {
            using var otherContext = Create(other);
            Assert.Empty(names.Intersect(otherContext.Database.GetMigrations()));
        }
    }

    private static PortalDbContext Create(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqlitePortalDbContext(
            new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite("Data Source=:memory:").Options),
        DatabaseProvider.PostgreSql => new PostgreSqlPortalDbContext(
            new DbContextOptionsBuilder<PostgreSqlPortalDbContext>().UseNpgsql("Host=127.0.0.1;Database=never_opened").Options),
        DatabaseProvider.SqlServer => new SqlServerPortalDbContext(
            new DbContextOptionsBuilder<SqlServerPortalDbContext>().UseSqlServer("Server=127.0.0.1;Database=never_opened;Encrypt=false").Options),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
