namespace Portal.Core.Usage;

/// <summary>Decisions in one bucket of a timeline.</summary>
public sealed record UsageBucket(DateTimeOffset Start, long Allowed, long Denied);

/// <summary>Decisions with one reason code.</summary>
public sealed record UsageCount(string Code, long Count);

/// <summary>Requests over time (allowed against denied) and denials by reason, over one range.</summary>
/// <param name="Bucket">The bucket size the range was read at: minutes, hours or days.</param>
/// <param name="Buckets">Every bucket of the range, empty ones included, oldest first.</param>
/// <param name="ByCode">Counts per reason code over the range, largest first.</param>
public sealed record UsageTimeline(UsageGranularity Bucket, IReadOnlyList<UsageBucket> Buckets, IReadOnlyList<UsageCount> ByCode)
{
    public long Allowed => Buckets.Sum(b => b.Allowed);

    public long Denied => Buckets.Sum(b => b.Denied);

    public bool IsEmpty => Allowed == 0 && Denied == 0;
}

/// <summary>One key's decisions over a range.</summary>
public sealed record KeyUsage(Guid KeyId, Guid OrganizationId, string Name, string Hint, long Allowed, long Denied)
{
    public long Total => Allowed + Denied;
}

/// <summary>Requests to one path (query string removed) over a range.</summary>
public sealed record EndpointUsage(string Path, long Count);

/// <summary>
/// Paths and latency percentiles from the authentication log over a range.
/// </summary>
/// <param name="Decisions">Log records read.</param>
/// <param name="Sampled">True when the range held more records than are read; the figures then cover the newest ones.</param>
/// <param name="LatencyMicroseconds">p50, p95 and p99 of the time spent deciding; empty without records.</param>
public sealed record LogUsage(long Decisions, bool Sampled, IReadOnlyList<EndpointUsage> TopEndpoints, IReadOnlyList<LatencyPercentile> LatencyMicroseconds)
{
    public bool IsEmpty => Decisions == 0;
}

public sealed record LatencyPercentile(string Name, int Microseconds);
