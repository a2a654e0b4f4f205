using Microsoft.Extensions.Time.Testing;
using Portal.Core.Protections;

namespace Portal.Tests.Core.Protections;

/// <summary>The in-memory GCRA limits and quotas: exact arithmetic on a fake clock, all-or-nothing charging, refills, drains, sweeps.</summary>
public sealed class InMemoryRateLimitStoreTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Noon);
    private readonly InMemoryRateLimitStore _store;
    private readonly Guid _key = Guid.NewGuid();

    public InMemoryRateLimitStoreTests() => _store = new InMemoryRateLimitStore(_clock);

    public void Dispose() => _store.Dispose();

    [Fact]
    public void TryAcquire_TwentyPerSecond_AllowsTwentyAtOnceThenRefusesUntilOneEmission()
    {
        var plan = Plan(null, new RateLimitRule("burst", 20, 1));

        var outcomes = Enumerable.Range(0, 20).Select(_ => _store.TryAcquire(_key, plan, 1, Noon)).ToList();
        var refused = _store.TryAcquire(_key, plan, 1, Noon);
        var stillRefused = _store.TryAcquire(_key, plan, 1, Noon.AddMilliseconds(49));
        var next = _store.TryAcquire(_key, plan, 1, Noon.AddMilliseconds(50));

        Assert.All(outcomes, o => Assert.Equal(LimitVerdict.Allowed, o.Verdict));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 19L - i), outcomes.Select(o => o.Remaining));
        Assert.Equal(1, outcomes[^1].ResetSeconds);
        Assert.Equal(new LimitOutcome(LimitVerdict.RateLimited, 0, 0, 1, 1, -1), refused);
        Assert.Equal(LimitVerdict.RateLimited, stillRefused.Verdict);
        Assert.Equal(LimitVerdict.Allowed, next.Verdict);
        Assert.Equal(0, next.Remaining);
        Assert.Equal(LimitVerdict.RateLimited, _store.TryAcquire(_key, plan, 1, Noon.AddMilliseconds(50)).Verdict);
    }

    [Fact]
    public void TryAcquire_SmallBurst_RetryAfterIsTheWholeSecondsUntilTheRequestPasses()
    {
        // Ten a minute, three at once: after the three, the next passes one emission (6 s) later.
        var plan = Plan(null, new RateLimitRule("minute", 10, 60, Burst: 3));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(LimitVerdict.Allowed, _store.TryAcquire(_key, plan, 1, Noon).Verdict);
        }

        var refused = _store.TryAcquire(_key, plan, 1, Noon.AddSeconds(1));

        Assert.Equal(5, refused.RetryAfterSeconds);
        Assert.Equal(17, refused.ResetSeconds);
        Assert.Equal(LimitVerdict.RateLimited, _store.TryAcquire(_key, plan, 1, Noon.AddSeconds(5.9)).Verdict);
        Assert.Equal(LimitVerdict.Allowed, _store.TryAcquire(_key, plan, 1, Noon.AddSeconds(6)).Verdict);
    }

    [Fact]
    public void TryAcquire_SecondLimitRefuses_FirstLimitIsNotCharged()
    {
        var plan = Plan(null, new RateLimitRule("burst", 20, 1), new RateLimitRule("daily", 100, 86_400));
        for (var second = 0; second < 5; second++)
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(LimitVerdict.Allowed, _store.TryAcquire(_key, plan, 1, Noon.AddSeconds(second)).Verdict);
            }
        }

        var at = Noon.AddSeconds(10);
        var refused = _store.TryAcquire(_key, plan, 1, at);
        var states = _store.Peek(_key, plan, at);

        Assert.Equal(LimitVerdict.RateLimited, refused.Verdict);
        Assert.Equal(1, refused.LimitIndex);
        // The daily limit's next request is due one emission (86 400 s / 100 = 864 s) after noon.
        Assert.Equal(864 - 10, refused.RetryAfterSeconds);
        Assert.Equal(new LimitState("burst", 20, 1, 20, at), states[0]);
        Assert.Equal(0, states[1].Remaining);
    }

    [Fact]
    public void TryAcquire_Allowed_NamesTheLimitWithFewestLeft()
    {
        var plan = Plan(null, new RateLimitRule("burst", 20, 1), new RateLimitRule("hourly", 10, 3_600));

        var outcome = _store.TryAcquire(_key, plan, 1, Noon);

        Assert.Equal(new LimitOutcome(LimitVerdict.Allowed, 1, 9, 360, 0, -1), outcome);
    }

    [Fact]
    public void TryAcquire_RateLimited_LeavesTheQuotaUntouched()
    {
        var plan = Plan(new QuotaPlan(10, Noon, null, Guid.NewGuid()), new RateLimitRule("burst", 2, 1));

        var first = _store.TryAcquire(_key, plan, 1, Noon);
        var second = _store.TryAcquire(_key, plan, 1, Noon);
        var refused = _store.TryAcquire(_key, plan, 1, Noon);

        Assert.Equal(9, first.QuotaRemaining);
        Assert.Equal(8, second.QuotaRemaining);
        Assert.Equal(LimitVerdict.RateLimited, refused.Verdict);
        Assert.Equal(8, refused.QuotaRemaining);
        Assert.Equal(8, _store.Peek(_key, plan, Noon).Single(s => s.IsQuota).Remaining);
    }

    [Fact]
    public void TryAcquire_QuotaSpent_RefusesWithQuotaExceededUntilMidnightUtcRefill()
    {
        var plan = Plan(new QuotaPlan(2, Noon, new QuotaRefill(5, QuotaPeriod.Day), Guid.NewGuid()));

        Assert.Equal(LimitVerdict.Allowed, _store.TryAcquire(_key, plan, 1, Noon).Verdict);
        var last = _store.TryAcquire(_key, plan, 1, Noon);
        var refused = _store.TryAcquire(_key, plan, 1, Noon.AddHours(1));
        var beforeMidnight = _store.TryAcquire(_key, plan, 1, new DateTimeOffset(2026, 3, 14, 23, 59, 59, TimeSpan.Zero));
        var afterMidnight = _store.TryAcquire(_key, plan, 1, new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new LimitOutcome(LimitVerdict.Allowed, -1, 0, 12 * 3600, 0, 0), last);
        Assert.Equal(new LimitOutcome(LimitVerdict.QuotaExceeded, -1, 0, 11 * 3600, 11 * 3600, 0), refused);
        Assert.Equal(LimitVerdict.QuotaExceeded, beforeMidnight.Verdict);
        Assert.Equal(1, beforeMidnight.RetryAfterSeconds);
        Assert.Equal(LimitVerdict.Allowed, afterMidnight.Verdict);
        Assert.Equal(4, afterMidnight.QuotaRemaining);
    }

    [Fact]
    public void TryAcquire_QuotaNeverRefilled_RefusesWithoutRetryAfter()
    {
        var plan = Plan(new QuotaPlan(0, Noon, null, Guid.NewGuid()));

        var refused = _store.TryAcquire(_key, plan, 1, Noon.AddDays(400));

        Assert.Equal(new LimitOutcome(LimitVerdict.QuotaExceeded, -1, 0, 0, 0, 0), refused);
    }

    public static TheoryData<string, string> MonthEnds => new()
    {
        { "2026-01-31T23:59:59Z", "2026-02-01T00:00:00Z" },
        { "2027-02-28T23:59:59Z", "2027-03-01T00:00:00Z" },
        { "2028-02-28T23:59:59Z", "2028-03-01T00:00:00Z" },
        { "2028-02-29T23:59:59Z", "2028-03-01T00:00:00Z" },
        { "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(MonthEnds))]
    public void TryAcquire_MonthlyQuota_RefillsOnTheFirstOfTheNextMonth(string lastMoment, string firstOfMonth)
    {
        var end = DateTimeOffset.Parse(lastMoment, System.Globalization.CultureInfo.InvariantCulture);
        var refill = DateTimeOffset.Parse(firstOfMonth, System.Globalization.CultureInfo.InvariantCulture);
        var plan = Plan(new QuotaPlan(1, end.AddDays(-1), new QuotaRefill(3, QuotaPeriod.Month), Guid.NewGuid()));

        var spent = _store.TryAcquire(_key, plan, 1, end.AddDays(-1));
        var refused = _store.TryAcquire(_key, plan, 1, end);
        var refilled = _store.TryAcquire(_key, plan, 1, refill);

        Assert.Equal(0, spent.QuotaRemaining);
        Assert.Equal(LimitVerdict.QuotaExceeded, refused.Verdict);
        Assert.Equal((long)Math.Ceiling((refill - end).TotalSeconds), refused.RetryAfterSeconds);
        Assert.Equal(LimitVerdict.Allowed, refilled.Verdict);
        Assert.Equal(2, refilled.QuotaRemaining);
        var state = _store.Peek(_key, plan, refill).Single(s => s.IsQuota);
        Assert.Equal(refill.AddMonths(1), state.ResetAt);
        Assert.Equal((long)(refill.AddMonths(1) - refill).TotalSeconds, state.PeriodSeconds);
    }

    [Fact]
    public void TryAcquire_ManyRefillBoundariesPassed_SetsTheAmountOnce()
    {
        var plan = Plan(new QuotaPlan(1, Noon, new QuotaRefill(10, QuotaPeriod.Day), Guid.NewGuid()));
        _store.TryAcquire(_key, plan, 1, Noon);

        var outcome = _store.TryAcquire(_key, plan, 1, Noon.AddDays(5));

        Assert.Equal(9, outcome.QuotaRemaining);
    }

    [Fact]
    public void TryAcquire_PlanAsOfBeforeABoundary_RefillsOnFirstSight()
    {
        // Stored yesterday with 0 left: today's first request finds today's refill.
        var plan = Plan(new QuotaPlan(0, Noon.AddDays(-1), new QuotaRefill(10, QuotaPeriod.Day), Guid.NewGuid()));

        var outcome = _store.TryAcquire(_key, plan, 1, Noon);

        Assert.Equal(LimitVerdict.Allowed, outcome.Verdict);
        Assert.Equal(9, outcome.QuotaRemaining);
    }

    [Fact]
    public void TryAcquire_NewStamp_RestartsFromThePlansRemaining()
    {
        var first = Plan(new QuotaPlan(10, Noon, null, Guid.NewGuid()));
        _store.TryAcquire(_key, first, 4, Noon);
        var sameStamp = Plan(first.Quota! with { Remaining = 10 });
        var reset = Plan(new QuotaPlan(100, Noon.AddMinutes(1), null, Guid.NewGuid()));

        var kept = _store.TryAcquire(_key, sameStamp, 1, Noon);
        var restarted = _store.TryAcquire(_key, reset, 1, Noon.AddMinutes(1));

        Assert.Equal(5, kept.QuotaRemaining);
        Assert.Equal(99, restarted.QuotaRemaining);
    }

    [Fact]
    public void TryAcquire_CostAboveOne_TakesThatManyFromLimitsAndQuota()
    {
        var plan = Plan(new QuotaPlan(10, Noon, null, Guid.NewGuid()), new RateLimitRule("burst", 10, 1));

        var first = _store.TryAcquire(_key, plan, 4, Noon);
        var second = _store.TryAcquire(_key, plan, 4, Noon);
        var third = _store.TryAcquire(_key, plan, 4, Noon);
        var quotaShort = _store.TryAcquire(_key, plan, 4, Noon.AddSeconds(1));
        var fits = _store.TryAcquire(_key, plan, 2, Noon.AddSeconds(1));
        var tooBig = _store.TryAcquire(_key, plan, 11, Noon.AddSeconds(5));

        Assert.Equal((6, 6L), (first.Remaining, first.QuotaRemaining));
        Assert.Equal((2, 2L), (second.Remaining, second.QuotaRemaining));
        // 2 left of the burst: a cost of 4 waits two emissions (0.2 s).
        Assert.Equal(new LimitOutcome(LimitVerdict.RateLimited, 0, 2, 1, 1, 2), third);
        Assert.Equal(LimitVerdict.QuotaExceeded, quotaShort.Verdict);
        Assert.Equal(0, fits.QuotaRemaining);
        Assert.Equal(LimitVerdict.RateLimited, tooBig.Verdict);
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.TryAcquire(_key, plan, 0, Noon));
    }

    [Fact]
    public void TryAcquire_LimitsChangeShape_StartsTheKeysCountsAgain()
    {
        var before = Plan(null, new RateLimitRule("burst", 2, 1));
        _store.TryAcquire(_key, before, 2, Noon);
        var reloaded = Plan(null, new RateLimitRule("burst", 2, 1));
        var changed = Plan(null, new RateLimitRule("burst", 3, 1));

        var sameShape = _store.TryAcquire(_key, reloaded, 1, Noon);
        var newShape = _store.TryAcquire(_key, changed, 1, Noon);

        Assert.Equal(LimitVerdict.RateLimited, sameShape.Verdict);
        Assert.Equal(LimitVerdict.Allowed, newShape.Verdict);
        Assert.Equal(2, newShape.Remaining);
    }

    [Fact]
    public void TryAcquire_EmptyPlan_IsUnlimited()
    {
        Assert.Equal(LimitOutcome.Unlimited, _store.TryAcquire(_key, new RateLimitPlan([], null) { PolicyHeader = "" }, 1, Noon));
        Assert.Equal(0, _store.KeyCount);
    }

    [Fact]
    public void DrainChangedQuotas_GivesEachChangedKeyOnceWithStampAndMoment()
    {
        var stamp = Guid.NewGuid();
        var quota = Plan(new QuotaPlan(10, Noon, null, stamp), new RateLimitRule("burst", 1, 60));
        var other = Guid.NewGuid();
        _store.TryAcquire(_key, quota, 1, Noon);
        _store.TryAcquire(_key, quota, 1, Noon.AddSeconds(1));
        _store.TryAcquire(other, Plan(null, new RateLimitRule("burst", 1, 60)), 1, Noon);

        var drained = _store.DrainChangedQuotas();
        var again = _store.DrainChangedQuotas();
        _store.TryAcquire(_key, quota, 1, Noon.AddMinutes(1));

        Assert.Equal([new QuotaCount(_key, stamp, 9, Noon)], drained);
        Assert.Empty(again);
        Assert.Equal([new QuotaCount(_key, stamp, 8, Noon.AddMinutes(1))], _store.DrainChangedQuotas());
    }

    [Fact]
    public void Sweep_DropsKeysWhoseLimitsAreWholeAndKeepsQuotaKeys()
    {
        var limited = Plan(null, new RateLimitRule("burst", 20, 1));
        var quota = Plan(new QuotaPlan(5, Noon, null, Guid.NewGuid()), new RateLimitRule("burst", 20, 1));
        var quotaKey = Guid.NewGuid();
        for (var i = 0; i < 20; i++)
        {
            _store.TryAcquire(_key, limited, 1, Noon);
        }

        _store.TryAcquire(quotaKey, quota, 1, Noon);
        _store.DrainChangedQuotas();

        Assert.Equal(0, _store.Sweep(Noon.AddMilliseconds(999)));
        Assert.Equal(1, _store.Sweep(Noon.AddSeconds(1)));
        Assert.Equal(1, _store.KeyCount);
        Assert.Equal(19, _store.TryAcquire(_key, limited, 1, Noon.AddSeconds(1)).Remaining);
        Assert.Equal(3, _store.TryAcquire(quotaKey, quota, 1, Noon.AddSeconds(2)).QuotaRemaining);
    }

    [Fact]
    public void Sweep_RunsOnTheClock()
    {
        _store.TryAcquire(_key, Plan(null, new RateLimitRule("burst", 20, 1)), 1, Noon);

        _clock.Advance(InMemoryRateLimitStore.SweepInterval);

        Assert.Equal(0, _store.KeyCount);
    }

    [Fact]
    public void Peek_UnseenKey_ShowsWholeLimitsAndKeepsNothing()
    {
        var plan = Plan(new QuotaPlan(50, Noon, new QuotaRefill(100, QuotaPeriod.Day), Guid.NewGuid()), new RateLimitRule("burst", 20, 1));

        var states = _store.Peek(_key, plan, Noon);

        Assert.Equal(
            [new LimitState("burst", 20, 1, 20, Noon), new LimitState("quota", 100, 86_400, 50, new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero), IsQuota: true)],
            states);
        Assert.Equal(0, _store.KeyCount);
        Assert.Empty(_store.DrainChangedQuotas());
    }

    [Fact]
    public async Task TryAcquire_EightThreadsAgainstFiveHundredAnHour_AllowExactlyFiveHundred()
    {
        var plan = Plan(null, new RateLimitRule("hourly", 500, 3_600));
        using var start = new Barrier(8);
        var allowed = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 1_000; i++)
                {
                    if (_store.TryAcquire(_key, plan, 1, Noon).Verdict == LimitVerdict.Allowed)
                    {
                        Interlocked.Increment(ref allowed);
                    }
                }
            },
            TaskCreationOptions.LongRunning)));

        Assert.Equal(500, allowed);
    }

    [Fact]
    public void TryAcquire_AfterTheKeysFirstCall_AllocatesNothing()
    {
        var plan = Plan(new QuotaPlan(1_000_000, Noon, new QuotaRefill(1_000_000, QuotaPeriod.Day), Guid.NewGuid()),
            new RateLimitRule("burst", 1_000, 1), new RateLimitRule("daily", 1_000_000, 86_400));
        for (var i = 0; i < 100; i++)
        {
            _store.TryAcquire(_key, plan, 1, Noon.AddMilliseconds(i));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _store.TryAcquire(_key, plan, 1, Noon.AddMilliseconds(100 + i));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static RateLimitPlan Plan(QuotaPlan? quota, params RateLimitRule[] rules) =>
        RateLimitRules.Plan(RateLimitRulesTests.Compile(rules), quota)!;
}
