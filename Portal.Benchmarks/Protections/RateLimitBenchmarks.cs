using BenchmarkDotNet.Attributes;
using Portal.Core.Protections;

namespace Portal.Benchmarks.Protections;

/// <summary>
/// One decision of the in-memory rate-limit store for a key already seen, with two limits and a
/// quota: allowed (every limit and the quota charged; the clock moves 10 µs per call, so it stays
/// allowed), and refused by the second limit (nothing charged). Both must allocate nothing.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*RateLimitBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class RateLimitBenchmarks
{
    private static readonly DateTimeOffset Start = new(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly InMemoryRateLimitStore _store = new(TimeProvider.System);
    private readonly Guid _allowedKey = Guid.NewGuid();
    private readonly Guid _refusedKey = Guid.NewGuid();
    private RateLimitPlan _allowed = null!;
    private RateLimitPlan _refused = null!;
    private long _ticks;

    [GlobalSetup]
    public void Setup()
    {
        var errors = new Dictionary<string, string[]>();
        var quota = new QuotaPlan(RateLimitPlan.MaxAmount, Start, new QuotaRefill(RateLimitPlan.MaxAmount, QuotaPeriod.Month), Guid.NewGuid());
        _allowed = RateLimitRules.Plan(
            RateLimitRules.CompileLimits([new RateLimitRule("burst", 1_000_000, 1), new RateLimitRule("daily", 100_000_000_000, 86_400)], "rateLimits", errors),
            quota)!;
        _refused = RateLimitRules.Plan(
            RateLimitRules.CompileLimits([new RateLimitRule("burst", 1_000_000, 1), new RateLimitRule("daily", 1, 86_400)], "rateLimits", errors),
            quota)!;
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors.Keys));
        }

        _store.TryAcquire(_allowedKey, _allowed, 1, Start);
        _store.TryAcquire(_refusedKey, _refused, 1, Start);
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark(Baseline = true)]
    public LimitVerdict Allowed()
    {
        _ticks += 100;
        return _store.TryAcquire(_allowedKey, _allowed, 1, Start.AddTicks(_ticks)).Verdict;
    }

    [Benchmark]
    public LimitVerdict RefusedBySecondLimit() => _store.TryAcquire(_refusedKey, _refused, 1, Start.AddSeconds(1)).Verdict;
}
