using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Validation;

namespace Portal.Core.Usage;

/// <summary>
/// The usage charts' queries, for a scope the caller may see (see <see cref="UsageAccess"/>);
/// each returns null when the scope is not visible. Counts come from the roll-ups at the coarsest
/// resolution the range needs; paths and latency from the authentication log.
/// </summary>
public sealed class UsageCharts(PortalDbContext db, UsageAccess access, IOptions<UsageOptions> options, TimeProvider time)
{
    public const int TopCount = 10;

    /// <summary>
    /// The newest log records read for paths and latency. The log holds every decision for 30 days,
    /// which at gateway rates is far more than a chart may read; past this the figures are a sample
    /// of the newest records and say so.
    /// </summary>
    public const int MaxLogRecords = 100_000;

    /// <summary>
    /// The bucket size for a range: minutes up to two hours, hours up to eight days, else days, and
    /// never finer than what compaction has left at the range's start.
    /// </summary>
    public UsageGranularity BucketFor(UsageRange range)
    {
        var byLength = range.Length <= TimeSpan.FromHours(2) ? UsageGranularity.Minute
            : range.Length <= TimeSpan.FromDays(8) ? UsageGranularity.Hour
            : UsageGranularity.Day;
        var now = time.GetUtcNow();
        var settings = options.Value;
        var finest = range.From >= UsageTime.Floor(now - settings.MinutesKeptFor, UsageGranularity.Hour) ? UsageGranularity.Minute
            : range.From >= UsageTime.Floor(now - settings.HoursKeptFor, UsageGranularity.Day) ? UsageGranularity.Hour
            : UsageGranularity.Day;
        return (UsageGranularity)Math.Max((byte)byLength, (byte)finest);
    }

    public async Task<UsageTimeline?> TimelineAsync(Caller caller, UsageScope scope, UsageRange range, CancellationToken cancellationToken = default)
    {
        if (await access.ResolveAsync(caller, scope, cancellationToken) is not { } view)
        {
            return null;
        }

        var bucket = BucketFor(range);
        var from = UsageTime.Floor(range.From, bucket);
        var to = UsageTime.Ceiling(range.To, bucket);

        // Minute rows are recent (compaction moves older ones), so at most a few hours of them.
        var minutes = await MinuteRows(view)
            .Where(u => u.Minute >= from && u.Minute < to)
            .GroupBy(u => new { u.Minute, u.Code })
            .Select(g => new { Start = g.Key.Minute, g.Key.Code, Count = g.Sum(u => u.Count) })
            .ToListAsync(cancellationToken);
        var periods = await PeriodRows(view, perKey: false)
            .Where(p => p.Start >= from && p.Start < to)
            .GroupBy(p => new { p.Start, p.Code })
            .Select(g => new { g.Key.Start, g.Key.Code, Count = g.Sum(p => p.Count) })
            .ToListAsync(cancellationToken);

        var length = UsageTime.Length(bucket).Ticks;
        var slots = (int)((to - from).Ticks / length);
        var allowed = new long[slots];
        var denied = new long[slots];
        var byCode = new Dictionary<string, long>();
        foreach (var (start, code, count) in minutes.Select(m => (m.Start, m.Code, m.Count)).Concat(periods.Select(p => (p.Start, p.Code, p.Count))))
        {
            var slot = (int)((start - from).Ticks / length);
            (code == ReasonCodes.Valid ? allowed : denied)[slot] += count;
            byCode[code] = byCode.GetValueOrDefault(code) + count;
        }

        return new UsageTimeline(
            bucket,
            [.. Enumerable.Range(0, slots).Select(i => new UsageBucket(from + TimeSpan.FromTicks(i * length), allowed[i], denied[i]))],
            [.. byCode.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => new UsageCount(c.Key, c.Value))]);
    }

    /// <summary>The busiest keys of the range (most decisions first); empty for a key scope.</summary>
    public async Task<IReadOnlyList<KeyUsage>?> TopKeysAsync(Caller caller, UsageScope scope, UsageRange range, CancellationToken cancellationToken = default)
    {
        if (await access.ResolveAsync(caller, scope, cancellationToken) is not { } view)
        {
            return null;
        }

        var from = range.From;
        var to = range.To;
        // Grouped separately: each walks its own index in key order (the period index covers the
        // columns read), which a UNION of both would not; the merge of the groups is in memory.
        var minutes = await MinuteRows(view)
            .Where(u => u.Minute >= from && u.Minute < to)
            .GroupBy(u => u.KeyId)
            .Select(g => new KeyTotal(g.Key, g.Sum(u => u.Code == ReasonCodes.Valid ? u.Count : 0), g.Sum(u => u.Count)))
            .ToListAsync(cancellationToken);
        var perKeyRows = PeriodRows(view, perKey: true).Where(p => p.Start >= from && p.Start < to);
        List<KeyTotal> periods;
        // Measured at 100,000 keys: reading by time and sorting wins up to a few days; past that the
        // sort costs more than walking all of the organization's rows in key order.
        if (range.Length <= TimeSpan.FromDays(3))
        {
            // A short range reads its hours and days by time; the organization's older rows stay unread.
            periods = [.. await KeyTotalsAsync(perKeyRows.Where(p => p.Granularity == UsageGranularity.Hour), cancellationToken),
                .. await KeyTotalsAsync(perKeyRows.Where(p => p.Granularity == UsageGranularity.Day), cancellationToken)];
        }
        else
        {
            // A long range reads most of the organization's rows anyway: walk them in key order.
            periods = await KeyTotalsAsync(perKeyRows, cancellationToken);
        }

        var totals = new Dictionary<Guid, (long Allowed, long All)>(periods.Count + minutes.Count);
        foreach (var group in minutes.Concat(periods))
        {
            var sum = totals.GetValueOrDefault(group.KeyId);
            totals[group.KeyId] = (sum.Allowed + group.Allowed, sum.All + group.All);
        }

        var top = totals
            .OrderByDescending(t => t.Value.All).ThenBy(t => t.Key)
            .Take(TopCount)
            .Select(t => new { KeyId = t.Key, t.Value.Allowed, Denied = t.Value.All - t.Value.Allowed })
            .ToList();
        var ids = top.Select(t => t.KeyId).ToList();
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => ids.Contains(k.Id))
            .Select(k => new { k.Id, k.OrganizationId, k.Name, k.Hint })
            .ToDictionaryAsync(k => k.Id, cancellationToken);
        return [.. top
            .Where(t => keys.ContainsKey(t.KeyId))
            .Select(t => new KeyUsage(t.KeyId, keys[t.KeyId].OrganizationId, keys[t.KeyId].Name, keys[t.KeyId].Hint, t.Allowed, t.Denied))
            .OrderByDescending(k => k.Total).ThenBy(k => k.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Top endpoints and latency percentiles, read from the authentication log.
    /// </summary>
    /// <remarks>
    /// Paths come from the log rather than a path dimension in the roll-ups: counting paths on the
    /// request path would put unbounded strings (every <c>/orders/{id}</c>) into the in-memory
    /// counters and multiply roll-up rows per key and minute, while the log already stores each
    /// decision's path and latency for as long as the longest chart range (30 days).
    /// </remarks>
    public async Task<LogUsage?> LogUsageAsync(Caller caller, UsageScope scope, UsageRange range, CancellationToken cancellationToken = default)
    {
        if (await access.ResolveAsync(caller, scope, cancellationToken) is not { } view)
        {
            return null;
        }

        var from = range.From;
        var to = range.To;
        var records = new List<(string? Path, int LatencyMicroseconds)>();
        var segments = LogSegments(view).Where(s => s.LastAt >= from && s.FirstAt < to);
        await foreach (var record in AuthenticationLogReader.NewestFirstAsync(segments, r => r.OccurredAt >= from && r.OccurredAt < to, cancellationToken))
        {
            records.Add((record.Path, record.LatencyMicroseconds));
            if (records.Count > MaxLogRecords)
            {
                break;
            }
        }

        var sampled = records.Count > MaxLogRecords;
        if (sampled)
        {
            records.RemoveAt(records.Count - 1);
        }

        var endpoints = records
            .GroupBy(r => PathOnly(r.Path), StringComparer.Ordinal)
            .Select(g => new EndpointUsage(g.Key, g.LongCount()))
            .OrderByDescending(e => e.Count).ThenBy(e => e.Path, StringComparer.Ordinal)
            .Take(TopCount)
            .ToList();
        var latencies = records.Select(r => r.LatencyMicroseconds).ToArray();
        Array.Sort(latencies);
        IReadOnlyList<LatencyPercentile> percentiles = latencies.Length == 0
            ? []
            : [new("p50", Percentile(latencies, 0.50)), new("p95", Percentile(latencies, 0.95)), new("p99", Percentile(latencies, 0.99))];
        return new LogUsage(records.Count, sampled, endpoints, percentiles);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static int Percentile(int[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string PathOnly(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "(none)";
        }

        var query = path.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? path[..query] : path;
    }

    private static Task<List<KeyTotal>> KeyTotalsAsync(IQueryable<UsagePeriod> rows, CancellationToken cancellationToken) =>
        rows.GroupBy(p => p.KeyId!.Value)
            .Select(g => new KeyTotal(g.Key, g.Sum(p => p.Code == ReasonCodes.Valid ? p.Count : 0), g.Sum(p => p.Count)))
            .ToListAsync(cancellationToken);

    private IQueryable<UsageRollup> MinuteRows(UsageView view)
    {
        var rows = db.UsageRollups.AsNoTracking();
        var scope = view.Scope;
        return scope.Kind switch
        {
            UsageScopeKind.Key => rows.Where(u => u.KeyId == scope.KeyId),
            UsageScopeKind.Organization when view.OwnerId is { } owner =>
                rows.Where(u => u.OrganizationId == scope.OrganizationId && OwnKeys(scope.OrganizationId, owner).Contains(u.KeyId)),
            UsageScopeKind.Organization => rows.Where(u => u.OrganizationId == scope.OrganizationId),
            _ => rows,
        };
    }

    /// <param name="perKey">Per-key rows (for top keys) instead of the organization totals where both exist.</param>
    private IQueryable<UsagePeriod> PeriodRows(UsageView view, bool perKey)
    {
        var rows = db.UsagePeriods.AsNoTracking();
        var scope = view.Scope;
        return scope.Kind switch
        {
            UsageScopeKind.Key => rows.Where(p => p.KeyId == scope.KeyId),
            UsageScopeKind.Organization when view.OwnerId is { } owner =>
                rows.Where(p => p.OrganizationId == scope.OrganizationId && p.KeyId != null
                    && OwnKeys(scope.OrganizationId, owner).Select(id => (Guid?)id).Contains(p.KeyId)),
            UsageScopeKind.Organization when perKey => rows.Where(p => p.OrganizationId == scope.OrganizationId && p.KeyId != null),
            UsageScopeKind.Organization => rows.Where(p => p.OrganizationId == scope.OrganizationId && p.KeyId == null),
            _ when perKey => rows.Where(p => p.KeyId != null),
            _ => rows.Where(p => p.KeyId == null),
        };
    }

    private IQueryable<AuthenticationLogSegment> LogSegments(UsageView view)
    {
        var segments = db.AuthenticationLogSegments;
        var scope = view.Scope;
        return scope.Kind switch
        {
            UsageScopeKind.Key => segments.Where(s => s.KeyId == scope.KeyId),
            UsageScopeKind.Organization when view.OwnerId is { } owner =>
                segments.Where(s => s.OrganizationId == scope.OrganizationId && s.OwnerId == owner),
            UsageScopeKind.Organization => segments.Where(s => s.OrganizationId == scope.OrganizationId),
            _ => segments.Where(s => s.KeyId != null),
        };
    }

    private sealed record KeyTotal(Guid KeyId, long Allowed, long All);

    private IQueryable<Guid> OwnKeys(Guid organizationId, Guid ownerId) =>
        db.ApiKeys.Where(k => k.OrganizationId == organizationId && k.OwnerId == ownerId).Select(k => k.Id);
}
