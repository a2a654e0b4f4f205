using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Microsoft.Extensions.Options;
using Portal.Auth;
using Portal.Core.Data;

namespace Portal.Jobs;

/// <summary>
/// Hangfire for the portal: job storage follows <c>Database:Provider</c> (SQL Server and
/// PostgreSQL keep jobs in the same database; the embedded SQLite default keeps them in memory,
/// which loses nothing because every job reconciles from the database), the recurring schedule,
/// and the dashboard at <c>/hangfire</c> for platform administrators.
/// </summary>
public static class PortalJobs
{
    public const string DashboardPath = "/hangfire";

    public static void AddPortalJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var provider = PortalDataServiceCollectionExtensions.ReadProvider(configuration);
        var connectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);

        // This app's own storage and activator, registered before AddHangfire so that its
        // process-wide JobStorage.Current / JobActivator.Current are never used: two hosts in one
        // process (the integration tests) must not run each other's jobs.
        services.AddSingleton<JobStorage>(_ => provider switch
        {
            DatabaseProvider.SqlServer => new SqlServerStorage(connectionString, new SqlServerStorageOptions { PrepareSchemaIfNecessary = true }),
            DatabaseProvider.PostgreSql => PostgreSql(connectionString!),
            _ => new InMemoryStorage(new InMemoryStorageOptions()),
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, config) => config
            .UseLogProvider(new HangfireLogging(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddTransient(typeof(ReconciliationJob<>));
        if (jobs.RunServer)
        {
            // Read through IOptions so that a bad value fails validation with the setting's name.
            services.AddHangfireServer((sp, server) => server.WorkerCount = sp.GetRequiredService<IOptions<JobsOptions>>().Value.WorkerCount);
        }

        services.AddHostedService<RecurringJobsRegistration>();
    }

    public static void MapPortalJobs(this WebApplication app) =>
        app.MapHangfireDashboardWithAuthorizationPolicy(PlatformAdministratorAuthorization.Policy, DashboardPath,
            new DashboardOptions { DashboardTitle = "API Key Portal jobs", AppPath = "/", DisplayStorageConnectionString = false });

    private static PostgreSqlStorage PostgreSql(string connectionString)
    {
        var options = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true, SchemaName = "hangfire" };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }
}
