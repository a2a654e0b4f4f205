using Portal.Core.Protections;

namespace Portal.Tests.Core.Protections;

/// <summary>Rate limits and quotas as set: their checks, their GCRA parameters, the policy header and quota periods.</summary>
public sealed class RateLimitRulesTests
{
    [Fact]
    public void CompileLimits_TwentyPerSecondAndDaily_GivesEmissionToleranceAndDefaultBurst()
    {
        var errors = new Dictionary<string, string[]>();

        var limits = RateLimitRules.CompileLimits(
            [new RateLimitRule("burst", 20, 1, Burst: 5), new RateLimitRule("daily", 10_000, 86_400)], "rateLimits", errors);

        Assert.Empty(errors);
        Assert.Equal(new CompiledRateLimit("burst", 20, 1, 5, TimeSpan.TicksPerSecond / 20, 4 * (TimeSpan.TicksPerSecond / 20)), limits[0]);
        var daily = limits[1];
        Assert.Equal(10_000, daily.Burst);
        Assert.Equal(86_400 * TimeSpan.TicksPerSecond / 10_000, daily.EmissionTicks);
        Assert.Equal(9_999 * daily.EmissionTicks, daily.ToleranceTicks);
    }

    [Fact]
    public void CompileLimits_RateAboveOnePerTick_KeepsAnEmissionOfOneTick()
    {
        var errors = new Dictionary<string, string[]>();

        var limit = Assert.Single(RateLimitRules.CompileLimits([new RateLimitRule("fast", RateLimitPlan.MaxAmount, 1, Burst: 10)], "rateLimits", errors));

        Assert.Empty(errors);
        Assert.Equal(1, limit.EmissionTicks);
        Assert.Equal(9, limit.ToleranceTicks);
    }

    [Fact]
    public void CompileLimits_NullOrEmpty_IsNoLimits()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Empty(RateLimitRules.CompileLimits(null, "rateLimits", errors));
        Assert.Empty(RateLimitRules.CompileLimits([], "rateLimits", errors));
        Assert.Empty(errors);
    }

    public static TheoryData<RateLimitRule, string, string> BadLimits => new()
    {
        { new RateLimitRule("burst", 0, 1), "rateLimits[0].limit", "must be at least 1" },
        { new RateLimitRule("burst", -5, 1), "rateLimits[0].limit", "must be at least 1" },
        { new RateLimitRule("burst", RateLimitPlan.MaxAmount + 1, 1), "rateLimits[0].limit", "at most 1000000000000" },
        { new RateLimitRule("burst", long.MaxValue, 1), "rateLimits[0].limit", "at most 1000000000000" },
        { new RateLimitRule("burst", 20, 0), "rateLimits[0].periodSeconds", "at least 1 second" },
        { new RateLimitRule("burst", 20, -1), "rateLimits[0].periodSeconds", "at least 1 second" },
        { new RateLimitRule("burst", 20, RateLimitPlan.MaxPeriodSeconds + 1), "rateLimits[0].periodSeconds", "at most 2678400 seconds" },
        { new RateLimitRule("burst", 20, 1, Burst: 0), "rateLimits[0].burst", "must be at least 1" },
        { new RateLimitRule("burst", 20, 1, Burst: -3), "rateLimits[0].burst", "must be at least 1" },
        { new RateLimitRule("burst", 20, 1, Burst: RateLimitPlan.MaxAmount + 1), "rateLimits[0].burst", "at most 1000000000000" },
        // One a day earns back at most 31 (+1) requests within 31 days.
        { new RateLimitRule("daily", 1, 86_400, Burst: 33), "rateLimits[0].burst", "at most 32" },
        { new RateLimitRule(null, 20, 1), "rateLimits[0].name", "needs a name" },
        { new RateLimitRule("", 20, 1), "rateLimits[0].name", "needs a name" },
        { new RateLimitRule("Per Second", 20, 1), "rateLimits[0].name", "'Per Second' is not a limit name" },
        { new RateLimitRule(new string('a', 33), 20, 1), "rateLimits[0].name", "at most 32 characters" },
        { new RateLimitRule("quota", 20, 1), "rateLimits[0].name", "names the key's quota" },
    };

    [Theory]
    [MemberData(nameof(BadLimits))]
    public void CompileLimits_BadValue_IsRefusedNamingTheField(RateLimitRule rule, string field, string message)
    {
        var errors = new Dictionary<string, string[]>();

        var limits = RateLimitRules.CompileLimits([rule], "rateLimits", errors);

        Assert.Empty(limits);
        Assert.Contains(message, Assert.Single(Assert.Contains(field, errors)), StringComparison.Ordinal);
    }

    [Fact]
    public void CompileLimits_NameGivenTwice_NamesTheEarlierEntry()
    {
        var errors = new Dictionary<string, string[]>();

        RateLimitRules.CompileLimits([new RateLimitRule("burst", 20, 1), new RateLimitRule("daily", 100, 86_400), new RateLimitRule("burst", 5, 1)], "rateLimits", errors);

        Assert.Equal("The name 'burst' is already used by rateLimits[0].", Assert.Single(errors["rateLimits[2].name"]));
        Assert.Single(errors);
    }

    [Fact]
    public void CompileLimits_TooManyOrNull_IsRefused()
    {
        var errors = new Dictionary<string, string[]>();
        var eleven = Enumerable.Range(0, RateLimitPlan.MaxLimits + 1).Select(i => (RateLimitRule?)new RateLimitRule($"l{i}", 10, 1)).ToList();

        Assert.Empty(RateLimitRules.CompileLimits(eleven, "rateLimits", errors));
        Assert.Contains("at most 10 rate limits", Assert.Single(errors["rateLimits"]), StringComparison.Ordinal);

        errors.Clear();
        Assert.Empty(RateLimitRules.CompileLimits([new RateLimitRule("burst", 20, 1), null], "rateLimits", errors));
        Assert.Equal("A rate limit cannot be null.", Assert.Single(errors["rateLimits[1]"]));
    }

    public static TheoryData<QuotaRule, string, string> BadQuotas => new()
    {
        { new QuotaRule(-1), "quota.remaining", "0 or more" },
        { new QuotaRule(RateLimitPlan.MaxAmount + 1), "quota.remaining", "at most 1000000000000" },
        { new QuotaRule(10, new QuotaRefill(100, null)), "quota.refill.period", "A refill needs a period: day or month." },
        { new QuotaRule(10, new QuotaRefill(100, (QuotaPeriod)7)), "quota.refill.period", "'7' is not a refill period" },
        { new QuotaRule(10, new QuotaRefill(0, QuotaPeriod.Day)), "quota.refill.amount", "must be at least 1" },
        { new QuotaRule(10, new QuotaRefill(-10, QuotaPeriod.Month)), "quota.refill.amount", "must be at least 1" },
        { new QuotaRule(10, new QuotaRefill(long.MaxValue, QuotaPeriod.Month)), "quota.refill.amount", "at most 1000000000000" },
    };

    [Theory]
    [MemberData(nameof(BadQuotas))]
    public void CheckQuota_BadValue_IsRefusedNamingTheField(QuotaRule quota, string field, string message)
    {
        var errors = new Dictionary<string, string[]>();

        RateLimitRules.CheckQuota(quota, "quota", errors);

        Assert.Contains(message, Assert.Single(Assert.Contains(field, errors)), StringComparison.Ordinal);
        Assert.Single(errors);
    }

    [Fact]
    public void CheckQuota_ValidOrNone_AddsNothing()
    {
        var errors = new Dictionary<string, string[]>();

        RateLimitRules.CheckQuota(null, "quota", errors);
        RateLimitRules.CheckQuota(new QuotaRule(0), "quota", errors);
        RateLimitRules.CheckQuota(new QuotaRule(10_000, new QuotaRefill(10_000, QuotaPeriod.Month)), "quota", errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void Plan_LimitsAndMonthlyQuota_AdvertisesEachAsAPolicyItem()
    {
        var limits = Compile(new RateLimitRule("burst", 20, 1), new RateLimitRule("daily", 10_000, 86_400));
        var quota = new QuotaPlan(4_000, DateTimeOffset.UnixEpoch, new QuotaRefill(5_000, QuotaPeriod.Month), Guid.NewGuid());

        var plan = RateLimitRules.Plan(limits, quota);

        Assert.NotNull(plan);
        Assert.Equal("\"burst\";q=20;w=1, \"daily\";q=10000;w=86400, \"quota\";q=5000;w=2592000", plan.PolicyHeader);
        Assert.Same(limits, plan.Limits);
        Assert.Same(quota, plan.Quota);
    }

    [Fact]
    public void Plan_QuotaOnly_AdvertisesRefillDayOrCreditsWithoutWindow()
    {
        var daily = RateLimitRules.Plan([], new QuotaPlan(3, DateTimeOffset.UnixEpoch, new QuotaRefill(100, QuotaPeriod.Day), Guid.NewGuid()));
        var once = RateLimitRules.Plan([], new QuotaPlan(7, DateTimeOffset.UnixEpoch, null, Guid.NewGuid()));

        Assert.Equal("\"quota\";q=100;w=86400", daily!.PolicyHeader);
        Assert.Equal("\"quota\";q=7", once!.PolicyHeader);
        Assert.Null(RateLimitRules.Plan([], null));
    }

    public static TheoryData<string, QuotaPeriod, string, string> Periods => new()
    {
        { "2026-03-14T23:59:59.9999999Z", QuotaPeriod.Day, "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z" },
        // 01:30 in UTC+02:00 is still the previous UTC day.
        { "2026-03-15T01:30:00+02:00", QuotaPeriod.Day, "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z" },
        { "2026-12-31T12:00:00Z", QuotaPeriod.Day, "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z" },
        { "2028-02-28T12:00:00Z", QuotaPeriod.Day, "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z" },
        { "2026-01-31T23:00:00Z", QuotaPeriod.Month, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" },
        { "2027-02-28T23:00:00Z", QuotaPeriod.Month, "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z" },
        { "2028-02-29T23:00:00Z", QuotaPeriod.Month, "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z" },
        { "2026-12-31T23:59:59Z", QuotaPeriod.Month, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z" },
        { "2027-01-01T00:00:00Z", QuotaPeriod.Month, "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public void PeriodOf_GivesTheUtcStartAndTheNext(string at, QuotaPeriod period, string start, string next)
    {
        var (s, n) = RateLimitRules.PeriodOf(period, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), s);
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), n);
        Assert.Equal(TimeSpan.Zero, s.Offset);
    }

    internal static CompiledRateLimit[] Compile(params RateLimitRule[] rules)
    {
        var errors = new Dictionary<string, string[]>();
        var limits = RateLimitRules.CompileLimits(rules, "rateLimits", errors);
        Assert.Empty(errors);
        return limits;
    }
}
