using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Usage;

namespace Portal.CommandLine;

/// <summary>
/// <c>measure usage --owner E [--organization ID] [--runs N]</c>: times the organization usage
/// page's queries for each preset range, as the page sends them (a fresh scope per query), and prints
/// the median after one warm-up.
/// </summary>
public static class UsageMeasure
{
    public static async Task<int> RunAsync(IServiceProvider services, CommandArguments args)
    {
        var (owner, organizationId) = await KeySeeder.OwnerAsync(services, args);
        var runs = args.Optional("runs") is { } given
            ? int.TryParse(given, out var n) && n is >= 1 and <= 100 ? n : throw new ArgumentException("--runs must be a number between 1 and 100.")
            : 5;
        await MeasureAsync(services, new Caller(owner.Id, owner.Email!, Channels.CommandLine), organizationId, runs);
        return 0;
    }

    public static async Task MeasureAsync(IServiceProvider services, Caller caller, Guid organizationId, int runs = 5)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var minutes = await db.UsageRollups.CountAsync(u => u.OrganizationId == organizationId);
            var periods = await db.UsagePeriods.CountAsync(p => p.OrganizationId == organizationId);
            var keys = await db.ApiKeys.CountAsync(k => k.OrganizationId == organizationId);
            Console.Out.WriteLine($"Organization usage: {keys} keys, {minutes} minute rows, {periods} hour/day rows. Median of {runs} after a warm-up, ms:");
        }

        var time = services.GetRequiredService<TimeProvider>();
        var scopeOfOrganization = UsageScope.ForOrganization(organizationId);
        Console.Out.WriteLine($"  {"range",-6} {"bucket",-7} {"requests over time",19} {"top keys",9} {"paths + latency",16}");
        foreach (var (name, length) in UsageRange.Presets)
        {
            var range = UsageRange.Last(length, time.GetUtcNow());
            UsageGranularity bucket = default;
            var timeline = await TimeAsync(services, runs, async c => bucket = (await c.TimelineAsync(caller, scopeOfOrganization, range))!.Bucket);
            var top = await TimeAsync(services, runs, c => c.TopKeysAsync(caller, scopeOfOrganization, range));
            var log = await TimeAsync(services, runs, c => c.LogUsageAsync(caller, scopeOfOrganization, range));
            Console.Out.WriteLine($"  {name,-6} {bucket.ToString().ToLowerInvariant(),-7} {timeline,19:0.0} {top,9:0.0} {log,16:0.0}");
        }
    }

    private static async Task<double> TimeAsync(IServiceProvider services, int runs, Func<UsageCharts, Task> query)
    {
        var timings = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            await using var scope = services.CreateAsyncScope();
            var charts = scope.ServiceProvider.GetRequiredService<UsageCharts>();
            var clock = Stopwatch.StartNew();
            await query(charts);
            if (run > 0)
            {
                timings.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        timings.Sort();
        return timings[timings.Count / 2];
    }
}
