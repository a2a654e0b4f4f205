namespace Portal.Core.Protections;

/// <summary>
/// A key's compiled rate limits and quota, shared by its snapshots. Limits are GCRA parameters in
/// ticks: <see cref="CompiledRateLimit.EmissionTicks"/> = period / limit, and a burst of
/// <c>b</c> tolerates <c>(b − 1) × emission</c> ahead of the theoretical arrival time.
/// </summary>
/// <param name="Limits">At most <see cref="MaxLimits"/>, in the order given.</param>
/// <param name="Quota">
/// The quota, or null for none. Its <see cref="QuotaPlan.Stamp"/> changes whenever an admin sets
/// the quota (its remaining credits and refill): the counter store starts again from
/// <see cref="QuotaPlan.Remaining"/> when it sees a new stamp, and otherwise keeps its own, more
/// recent count.
/// </param>
public sealed record RateLimitPlan(CompiledRateLimit[] Limits, QuotaPlan? Quota)
{
    /// <summary>The most named limits on one key or API.</summary>
    public const int MaxLimits = 10;

    /// <summary>The longest period of a limit: 31 days.</summary>
    public const long MaxPeriodSeconds = 31L * 24 * 3600;

    /// <summary>The largest limit, burst, quota or refill amount.</summary>
    public const long MaxAmount = 1_000_000_000_000;

    /// <summary>
    /// The IETF <c>RateLimit-Policy</c> field value (draft-ietf-httpapi-ratelimit-headers-10, an RFC 8941
    /// List): <c>"burst";q=20;w=1, "daily";q=10000;w=86400, "quota";q=5000;w=2592000</c>, formatted
    /// once by <see cref="RateLimitRules.Plan"/> (which says how the quota is advertised).
    /// </summary>
    public required string PolicyHeader { get; init; }

    public bool IsEmpty => Limits.Length == 0 && Quota is null;
}

/// <summary>One compiled limit.</summary>
/// <param name="Name">The limit's name (<c>burst</c>), unique on its key.</param>
/// <param name="Limit">Requests per period.</param>
/// <param name="PeriodSeconds">The period.</param>
/// <param name="Burst">Requests that may arrive at once.</param>
/// <param name="EmissionTicks">The period divided by the limit, in ticks (100 ns), at least 1.</param>
/// <param name="ToleranceTicks">(Burst − 1) × emission: how far ahead of now the theoretical arrival time may run.</param>
public sealed record CompiledRateLimit(string Name, long Limit, long PeriodSeconds, long Burst, long EmissionTicks, long ToleranceTicks);

/// <summary>A key's quota as last set: <paramref name="Remaining"/> credits as of <paramref name="AsOf"/>, refilled per <paramref name="Refill"/>.</summary>
/// <param name="Stamp">Identifies this setting of the quota (see <see cref="RateLimitPlan"/>).</param>
public sealed record QuotaPlan(long Remaining, DateTimeOffset AsOf, QuotaRefill? Refill, Guid Stamp);

/// <summary>What a rate-limit decision concluded.</summary>
public enum LimitVerdict : byte
{
    Allowed = 0,
    RateLimited = 1,
    QuotaExceeded = 2,
}

/// <summary>
/// The outcome of taking a request's cost from a key's limits and quota: all of them, or none.
/// </summary>
/// <param name="Verdict">Allowed, or which kind refused.</param>
/// <param name="LimitIndex">The limit that refused, or (when allowed) the one with the fewest requests left; -1 for the quota or none.</param>
/// <param name="Remaining">Requests left in <paramref name="LimitIndex"/>'s limit (or the quota's credits) after this decision.</param>
/// <param name="ResetSeconds">Seconds until that limit is whole again, rounded up (the quota: until its next refill; 0 when it has none).</param>
/// <param name="RetryAfterSeconds">
/// When refused by a limit: whole seconds until the request would pass (at least 1; a cost above
/// the limit's burst never passes, and gets the time until the burst is whole). When refused by the
/// quota: seconds until its next refill (at least 1), or 0 when it is never refilled (no
/// <c>Retry-After</c> is due). 0 when allowed.
/// </param>
/// <param name="QuotaRemaining">The quota's credits left after this decision; -1 when the key has no quota.</param>
public readonly record struct LimitOutcome(LimitVerdict Verdict, int LimitIndex, long Remaining, long ResetSeconds, long RetryAfterSeconds, long QuotaRemaining)
{
    public static LimitOutcome Unlimited { get; } = new(LimitVerdict.Allowed, -1, -1, 0, 0, -1);
}

/// <summary>One limit's state, for the key page and verify's <c>limits</c>.</summary>
/// <param name="Name">The limit's name; "quota" entries have <paramref name="IsQuota"/>.</param>
/// <param name="Limit">Requests per period (the quota: its refill amount, or the credits as set when it is never refilled).</param>
/// <param name="PeriodSeconds">The period (the quota: the length of the current day or month; 0 when it is never refilled).</param>
/// <param name="Remaining">Requests (or credits) left now.</param>
/// <param name="ResetAt">When the limit is whole again (now, when it is; the quota: its next refill; null when it has none).</param>
public sealed record LimitState(string Name, long Limit, long PeriodSeconds, long Remaining, DateTimeOffset? ResetAt, bool IsQuota = false);

/// <summary>
/// Where rate-limit and quota counters live. In memory on one node (<see cref="InMemoryRateLimitStore"/>);
/// the scale-out work adds a shared one behind this same interface.
/// </summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Takes <paramref name="cost"/> from every limit of <paramref name="plan"/> and from its quota,
    /// atomically for the key: either all of them allow it and all are charged, or nothing is
    /// charged and the first refusing limit (limits before the quota) is named.
    /// </summary>
    LimitOutcome TryAcquire(Guid keyId, RateLimitPlan plan, long cost, DateTimeOffset now);

    /// <summary>
    /// Whether every limit and the quota of <paramref name="plan"/> would take <paramref name="cost"/>
    /// now, charging nothing; when not, <paramref name="refused"/> is the outcome <see cref="TryAcquire"/>
    /// would give. Allocates nothing.
    /// </summary>
    bool Covers(Guid keyId, RateLimitPlan plan, long cost, DateTimeOffset now, out LimitOutcome refused);

    /// <summary>Each limit's and the quota's state now, charging nothing.</summary>
    IReadOnlyList<LimitState> Peek(Guid keyId, RateLimitPlan plan, DateTimeOffset now);

    /// <summary>
    /// The quotas changed since the last call (remaining credits as of a moment, with the stamp of
    /// the setting they count against), for the writer that stores them; each key once.
    /// </summary>
    IReadOnlyList<QuotaCount> DrainChangedQuotas();
}

/// <summary>A key's quota count to store.</summary>
public readonly record struct QuotaCount(Guid KeyId, Guid Stamp, long Remaining, DateTimeOffset AsOf);
