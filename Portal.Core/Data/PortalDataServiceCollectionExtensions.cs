using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Data;

public static class PortalDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PortalDbContext"/> (scoped) and <see cref="IDbContextFactory{PortalDbContext}"/>
    /// for the configured provider. Throws, naming the setting, when the provider is unknown or a
    /// server provider has no connection string: the app must not start half-configured. Also
    /// registers <see cref="DataFiles"/>, the on-disk files a host makes owner-only at start.
    /// </summary>
    public static IServiceCollection AddPortalData(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var provider = ReadProvider(configuration);
        var connectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        string? sqliteFile = null;

        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    OwnerOnlyFiles.CreateFolder(dataDirectory);
                    connectionString = $"Data Source={Path.Combine(dataDirectory, "portal.db")}";
                }

                Register<SqlitePortalDbContext>(services, o => o.UseSqlite(connectionString));
                sqliteFile = DataFiles.SqliteFileOf(connectionString);
                break;
            case DatabaseProvider.PostgreSql:
                Register<PostgreSqlPortalDbContext>(services, o => o.UseNpgsql(RequireConnectionString(connectionString, provider)));
                break;
            case DatabaseProvider.SqlServer:
                Register<SqlServerPortalDbContext>(services, o => o.UseSqlServer(RequireConnectionString(connectionString, provider)));
                break;
        }

        services.AddSingleton(new DataFiles(dataDirectory, sqliteFile));
        return services;
    }

    public static DatabaseProvider ReadProvider(IConfiguration configuration)
    {
        var value = configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"];
        if (string.IsNullOrWhiteSpace(value))
        {
            return DatabaseProvider.Sqlite;
        }

        if (Enum.TryParse<DatabaseProvider>(value, ignoreCase: true, out var provider) && Enum.IsDefined(provider))
        {
            return provider;
        }

        throw new InvalidOperationException(
            $"Setting 'Database:Provider' has the unknown value '{value}'. Use one of: {string.Join(", ", Enum.GetNames<DatabaseProvider>())}.");
    }

    private static string RequireConnectionString(string? value, DatabaseProvider provider) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException(
                $"Setting 'ConnectionStrings:{DatabaseOptions.ConnectionStringName}' is required when 'Database:Provider' is {provider}.")
            : value;

    private static void Register<TContext>(IServiceCollection services, Action<DbContextOptionsBuilder> configure)
        where TContext : PortalDbContext
    {
        services.AddDbContextFactory<TContext>(configure);
        services.AddScoped<PortalDbContext>(sp => sp.GetRequiredService<TContext>());
        services.AddSingleton<IDbContextFactory<PortalDbContext>>(sp =>
            new PortalDbContextFactory<TContext>(sp.GetRequiredService<IDbContextFactory<TContext>>()));
    }

    private sealed class PortalDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<PortalDbContext>
        where TContext : PortalDbContext
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
