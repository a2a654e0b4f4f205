using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Usage;
using Portal.Core.Validation;

namespace Portal.CommandLine;

/// <summary>
/// <c>seed usage --owner E --keys N --requests R --days D [--log-records L] [--organization ID]</c>:
/// creates N keys and R requests' worth of usage over the last D days, written straight into the
/// roll-ups in the shape compaction leaves them (days, then hours, then the last minutes), plus L
/// authentication log records for the path and latency charts; then times the charts' queries.
/// Requests follow a Zipf law over keys (a few keys make most requests) and a daily cycle, from a
/// fixed random seed so runs are comparable.
/// </summary>
public static class UsageSeeder
{
    private static readonly (string Code, double Share)[] Codes =
    [
        (ReasonCodes.Valid, 0.94), (ReasonCodes.InsufficientScope, 0.03), (ReasonCodes.Expired, 0.012),
        (ReasonCodes.Revoked, 0.01), (ReasonCodes.OutsideTimeWindow, 0.008),
    ];

    private static readonly string[] Paths = ["/orders", "/orders/{0}", "/customers/{0}", "/invoices", "/invoices/{0}/pdf", "/health"];
    private static readonly string[] Agents = ["orders-service/2.3", "curl/8.5.0", "python-requests/2.32", "billing-worker/1.0", "Go-http-client/1.1"];

    public static async Task<int> SeedAsync(IServiceProvider services, CommandArguments args)
    {
        var keyCount = Number(args, "keys", 1, 5_000_000);
        var requests = (long)Number(args, "requests", 1, 2_000_000_000);
        var days = Number(args, "days", 1, 90);
        var logRecords = args.Optional("log-records") is null ? 200_000 : Number(args, "log-records", 0, 10_000_000);
        var (owner, organizationId) = await KeySeeder.OwnerAsync(services, args);

        var clock = Stopwatch.StartNew();
        var keys = await KeySeeder.InsertKeysAsync(services, owner, organizationId, keyCount);
        await Console.Error.WriteLineAsync($"\nInserted {keyCount} keys in {clock.Elapsed.TotalSeconds:0.0} s.");

        clock.Restart();
        var rows = await WriteRollupsAsync(services, organizationId, keys, requests, days);
        await Console.Error.WriteLineAsync($"Wrote {rows.Minutes} minute rows and {rows.Periods} hour/day rows for {requests} requests in {clock.Elapsed.TotalSeconds:0.0} s.");

        clock.Restart();
        var logged = await WriteLogAsync(services, organizationId, owner.Id, keys, logRecords, days);
        await Console.Error.WriteLineAsync($"Wrote {logged} authentication log records in {clock.Elapsed.TotalSeconds:0.0} s.");

        await UsageMeasure.MeasureAsync(services, new Caller(owner.Id, owner.Email!, Channels.CommandLine), organizationId);
        return 0;
    }

    private static int Number(CommandArguments args, string name, int min, int max) =>
        int.TryParse(args.Single(name), out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"--{name} must be a number between {min} and {max}.");

    private static async Task<(long Minutes, long Periods)> WriteRollupsAsync(IServiceProvider services, Guid organizationId, List<(Guid Id, string Hint)> keys, long requests, int days)
    {
        var options = services.GetRequiredService<IOptions<UsageOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var minuteCutoff = UsageTime.Floor(now - options.MinutesKeptFor, UsageGranularity.Hour);
        var hourCutoff = UsageTime.Floor(now - options.HoursKeptFor, UsageGranularity.Day);
        var first = UsageTime.Floor(now - TimeSpan.FromDays(days), UsageGranularity.Hour);
        var hours = (int)((now - first).Ticks / TimeSpan.TicksPerHour) + 1;
        var zipf = new Zipf(keys.Count);
        var random = new Random(42);

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        // Minute rows cover the last hours only; they are written after the periods, as one writer
        // per connection is all SQLite allows.
        var minuteRows = new List<UsageRollup>();
        await using var periods = new BulkInsert<UsagePeriod>(db);

        // A daily cycle: the busiest hour has three times the requests of the quietest. Rounding the
        // running total (not each hour) makes the hours add up to exactly the requests asked for.
        var weights = Enumerable.Range(0, hours).Select(h => 1 + 0.5 * Math.Sin((first.AddHours(h).Hour - 6) / 24.0 * 2 * Math.PI)).ToArray();
        var perWeight = requests / weights.Sum();
        var cumulative = 0.0;
        var day = new Dictionary<(int Key, int Code), long>();
        DateTimeOffset? dayStart = null;
        for (var h = 0; h < hours; h++)
        {
            var hourStart = first.AddHours(h);
            var inHour = (long)Math.Round(cumulative + weights[h] * perWeight) - (long)Math.Round(cumulative);
            cumulative += weights[h] * perWeight;
            var lastMinute = hourStart.AddHours(1) > now ? (int)(now - hourStart).TotalMinutes : 59;

            if (hourStart >= minuteCutoff)
            {
                var perMinute = new Dictionary<(int Key, int Minute, int Code), long>();
                for (var r = 0; r < inHour; r++)
                {
                    var k = (zipf.Next(random), random.Next(lastMinute + 1), CodeOf(random));
                    perMinute[k] = perMinute.GetValueOrDefault(k) + 1;
                }

                foreach (var ((key, minute, code), count) in perMinute)
                {
                    minuteRows.Add(new UsageRollup { KeyId = keys[key].Id, OrganizationId = organizationId, Minute = hourStart.AddMinutes(minute), Code = Codes[code].Code, Count = count });
                }

                continue;
            }

            var perKey = new Dictionary<(int Key, int Code), long>();
            for (var r = 0; r < inHour; r++)
            {
                var k = (zipf.Next(random), CodeOf(random));
                perKey[k] = perKey.GetValueOrDefault(k) + 1;
            }

            if (hourStart >= hourCutoff)
            {
                await WritePeriodsAsync(periods, UsageGranularity.Hour, hourStart, organizationId, keys, perKey);
                continue;
            }

            var thisDay = UsageTime.Floor(hourStart, UsageGranularity.Day);
            if (dayStart != thisDay && dayStart is { } done)
            {
                await WritePeriodsAsync(periods, UsageGranularity.Day, done, organizationId, keys, day);
                day.Clear();
            }

            dayStart = thisDay;
            foreach (var (k, count) in perKey)
            {
                day[k] = day.GetValueOrDefault(k) + count;
            }

            if (h % 24 == 0)
            {
                await Console.Error.WriteAsync($"\rusage: hour {h + 1}/{hours}");
            }
        }

        if (dayStart is { } last && day.Count > 0)
        {
            await WritePeriodsAsync(periods, UsageGranularity.Day, last, organizationId, keys, day);
        }

        await periods.FlushAsync();
        await using (var minutes = new BulkInsert<UsageRollup>(db))
        {
            foreach (var row in minuteRows)
            {
                await minutes.AddAsync(row);
            }

            await minutes.FlushAsync();
        }

        await Console.Error.WriteLineAsync();
        return (minuteRows.Count, periods.Written);
    }

    private static async Task WritePeriodsAsync(
        BulkInsert<UsagePeriod> periods, UsageGranularity granularity, DateTimeOffset start, Guid organizationId,
        List<(Guid Id, string Hint)> keys, Dictionary<(int Key, int Code), long> counts)
    {
        var totals = new long[Codes.Length];
        foreach (var ((key, code), count) in counts)
        {
            totals[code] += count;
            await periods.AddAsync(new UsagePeriod { Granularity = granularity, Start = start, OrganizationId = organizationId, KeyId = keys[key].Id, Code = Codes[code].Code, Count = count });
        }

        for (var code = 0; code < totals.Length; code++)
        {
            if (totals[code] > 0)
            {
                await periods.AddAsync(new UsagePeriod { Granularity = granularity, Start = start, OrganizationId = organizationId, KeyId = null, Code = Codes[code].Code, Count = totals[code] });
            }
        }
    }

    private static async Task<long> WriteLogAsync(IServiceProvider services, Guid organizationId, Guid ownerId, List<(Guid Id, string Hint)> keys, int records, int days)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var zipf = new Zipf(keys.Count);
        var random = new Random(7);
        await using var scope = services.CreateAsyncScope();
        var entries = new AuthenticationLogEntry[records];
        for (var i = 0; i < records; i++)
        {
            var key = keys[zipf.Next(random)];
            // Log-normal latency around 0.3 ms with a long tail, as the validator's cache hits and misses give.
            var latency = (int)Math.Min(int.MaxValue, Math.Exp(Math.Log(300) + 0.8 * Gaussian(random)));
            entries[i] = new AuthenticationLogEntry(
                OccurredAt: now - TimeSpan.FromSeconds(random.NextDouble() * days * 86_400),
                KeyId: key.Id,
                OrganizationId: organizationId,
                OwnerId: ownerId,
                KeyHint: key.Hint,
                Code: Codes[CodeOf(random)].Code,
                Door: Doors.Check,
                Method: "GET",
                Path: string.Format(System.Globalization.CultureInfo.InvariantCulture, Paths[random.Next(Paths.Length)], random.Next(1, 500)),
                ClientIp: $"198.51.100.{random.Next(1, 60)}",
                UserAgent: Agents[random.Next(Agents.Length)],
                LatencyMicroseconds: latency);
        }

        // Stored as the writer stores them: what arrived within one gathering pause (or a full
        // batch) is one batch, packed into one segment per key.
        Array.Sort(entries, static (a, b) => a.OccurredAt.CompareTo(b.OccurredAt));
        var writer = new AuthenticationLogOptions();
        await using var log = new BulkInsert<AuthenticationLogSegment>(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
        var ids = new Guid[writer.BatchSize];
        var segments = new List<AuthenticationLogSegment>();
        for (var start = 0; start < entries.Length;)
        {
            var end = start + 1;
            while (end < entries.Length && end - start < writer.BatchSize && entries[end].OccurredAt - entries[start].OccurredAt < writer.GatherFor)
            {
                end++;
            }

            AuthenticationLogSegmentCodec.Pack(entries.AsSpan(start, end - start), ids, segments);
            foreach (var segment in segments)
            {
                await log.AddAsync(segment);
            }

            segments.Clear();
            start = end;
        }

        await log.FlushAsync();
        return records;
    }

    private static int CodeOf(Random random)
    {
        var x = random.NextDouble();
        for (var i = 0; i < Codes.Length; i++)
        {
            x -= Codes[i].Share;
            if (x < 0)
            {
                return i;
            }
        }

        return 0;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Draws key indexes with probability proportional to 1 / rank.</summary>
    private sealed class Zipf
    {
        private readonly double[] _cumulative;

        public Zipf(int count)
        {
            _cumulative = new double[count];
            var sum = 0.0;
            for (var i = 0; i < count; i++)
            {
                sum += 1.0 / (i + 1);
                _cumulative[i] = sum;
            }
        }

        public int Next(Random random)
        {
            var index = Array.BinarySearch(_cumulative, random.NextDouble() * _cumulative[^1]);
            return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
        }
    }
}
