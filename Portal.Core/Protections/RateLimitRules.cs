namespace Portal.Core.Protections;

/// <summary>Checks and compiles rate limits and quotas (<see cref="RateLimitRule"/>, <see cref="QuotaRule"/>).</summary>
public static class RateLimitRules
{
    /// <summary>The longest limit name.</summary>
    public const int MaxNameLength = 32;

    /// <summary>
    /// Checks and compiles limits. Messages under <c>{field}[i].limit</c> etc. for a limit, period or
    /// burst that is zero, negative or above its maximum, a missing or invalid name (<c>[a-z0-9_-]</c>,
    /// at most <see cref="MaxNameLength"/>), a name given twice; under <paramref name="field"/> for more than
    /// <see cref="RateLimitPlan.MaxLimits"/> limits.
    /// </summary>
    public static CompiledRateLimit[] CompileLimits(IReadOnlyList<RateLimitRule?>? rules, string field, Dictionary<string, string[]> errors) => throw new NotImplementedException();

    /// <summary>
    /// Checks a quota: remaining credits zero or more, a refill with a positive amount and a period
    /// (a refill without one is refused under <c>{field}.refill.period</c>), amounts at most <see cref="RateLimitPlan.MaxAmount"/>.
    /// </summary>
    public static void CheckQuota(QuotaRule? quota, string field, Dictionary<string, string[]> errors) => throw new NotImplementedException();

    /// <summary>The plan for compiled limits and a quota; null when both are empty.</summary>
    public static RateLimitPlan? Plan(CompiledRateLimit[] limits, QuotaPlan? quota) => throw new NotImplementedException();

    /// <summary>The start of the quota period containing <paramref name="at"/> (00:00 UTC that day, or the first of that month), and the next one.</summary>
    public static (DateTimeOffset Start, DateTimeOffset Next) PeriodOf(QuotaPeriod period, DateTimeOffset at) => throw new NotImplementedException();
}
