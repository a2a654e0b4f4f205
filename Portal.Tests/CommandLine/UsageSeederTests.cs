using Portal.Tests.Core.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.CommandLine;

/// <summary><c>seed usage</c> writes exactly the requests asked for, consistently per key and per organization, and times the charts.</summary>
public sealed class UsageSeederTests : IAsyncLifetime
{
    private const string Owner = "seed@example.com";

    private readonly CommandLineData _data = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _data.DisposeAsync();

    [Fact]
    public async Task SeedUsage_SmallSet_WritesEveryRequestOnceAndPrintsTimings()
    {
        var admin = await PortalProcess.RunAsync(_data.Folder, ["admin", "create", "--email", Owner], "correct-horse-battery-staple", null);
        Assert.True(admin.ExitCode == 0, admin.ToString());

        var outcome = await PortalProcess.RunAsync(_data.Folder, ["seed", "usage", "--owner", Owner, "--keys", "40", "--requests", "5000", "--days", "10", "--log-records", "300"], null, null);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("requests over time", outcome.StandardOutput);
        Assert.Contains("30d", outcome.StandardOutput);
        await using var scope = _data.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var minutes = await db.UsageRollups.SumAsync(u => u.Count);
        var perKey = await db.UsagePeriods.Where(p => p.KeyId != null).SumAsync(p => p.Count);
        var perOrganization = await db.UsagePeriods.Where(p => p.KeyId == null).SumAsync(p => p.Count);
        Assert.Equal(5000, minutes + perKey);
        Assert.Equal(perKey, perOrganization);
        Assert.Equal(300, (await StoredLog.AllAsync(db)).Count);
        Assert.Equal(40, await db.ApiKeys.CountAsync());
    }

    [Fact]
    public async Task SeedUsage_BadNumber_ExitsWithTheOptionNamed()
    {
        var outcome = await PortalProcess.RunAsync(_data.Folder, ["seed", "usage", "--owner", Owner, "--keys", "many", "--requests", "5", "--days", "1"], null, null);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--keys must be a number", outcome.StandardError);
    }
}
