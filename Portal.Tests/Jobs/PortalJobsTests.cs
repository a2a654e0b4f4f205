using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Keys;
using Portal.Jobs;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Jobs;

/// <summary>The Hangfire wiring: the schedule is registered, and a real Hangfire server runs the Portal.Core jobs.</summary>
public sealed class PortalJobsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public void Start_RegistersEveryRecurringJob()
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();

        var registered = connection.GetRecurringJobs().Select(j => j.Id).ToHashSet();

        Assert.Equal(PortalJobSchedule.Jobs.Select(j => j.Id).ToHashSet(), registered);
        Assert.Contains(KeyExpiry.JobName, registered);
    }

    [Fact]
    public async Task Start_WithWorkers_ReconcilesWhatFellDueWhileDown()
    {
        // The key falls due while no node runs jobs (this app's workers are off) …
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddMinutes(1));
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        // … then a node with workers starts, with fresh in-memory job storage as after a restart.
        await using var restarted = app.WithWebHostBuilder(builder => builder.UseSetting("Jobs:RunServer", "true"));
        _ = restarted.Server;

        // Well under the minute of the recurring schedule: the start itself ran the job.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await app.ReadKeyAsync(key.Key.Id)).Status != KeyStatus.Expired && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(KeyStatus.Expired, (await app.ReadKeyAsync(key.Key.Id)).Status);
    }

    [Fact]
    public async Task HangfireServer_TriggeredExpiryJob_ExpiresDueKey()
    {
        await using var withServer = app.WithWebHostBuilder(builder => builder
            .UseSetting("Jobs:RunServer", "true")
            .UseSetting("Jobs:RunOnStart", "false"));
        _ = withServer.Server;
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddMinutes(1));
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        withServer.Services.GetRequiredService<IRecurringJobManager>().Trigger(KeyExpiry.JobName);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await app.ReadKeyAsync(key.Key.Id)).Status != KeyStatus.Expired && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(KeyStatus.Expired, (await app.ReadKeyAsync(key.Key.Id)).Status);

        // The count is the job's result, shown on the dashboard.
        var monitoring = withServer.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        while (!monitoring.SucceededJobs(0, 50).Any(j => j.Value.Result is string result && int.Parse(result) >= 1) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Contains(monitoring.SucceededJobs(0, 50), j => j.Value.Result is string result && int.Parse(result) >= 1);
    }
}
