using Portal.Core.Protections;

namespace Portal.Tests.Components;

/// <summary>A rate-limit store for component tests: answers <see cref="Peek"/> with the states a test sets, and records what was asked.</summary>
public sealed class FakeRateLimitStore : IRateLimitStore
{
    public List<LimitState> States { get; } = [];

    /// <summary>The plans <see cref="Peek"/> was asked about, by key.</summary>
    public List<(Guid KeyId, RateLimitPlan Plan)> Peeked { get; } = [];

    public IReadOnlyList<LimitState> Peek(Guid keyId, RateLimitPlan plan, DateTimeOffset now)
    {
        Peeked.Add((keyId, plan));
        return [.. States];
    }

    // Components only read the state; a component that counted a request would be a bug these throws reveal.
    public LimitOutcome TryAcquire(Guid keyId, RateLimitPlan plan, long cost, DateTimeOffset now) =>
        throw new InvalidOperationException("A portal component must not take from a key's limits.");

    public bool Covers(Guid keyId, RateLimitPlan plan, long cost, DateTimeOffset now, out LimitOutcome refused) =>
        throw new InvalidOperationException("A portal component must not ask the limits.");

    public IReadOnlyList<QuotaCount> DrainChangedQuotas() => [];
}

/// <summary>A country lookup for component tests: loaded or not as a test sets; places no address.</summary>
public sealed class FakeCountryLookup : ICountryLookup
{
    public bool IsAvailable { get; set; } = true;

    public CountryCode Find(in ClientAddress address) => CountryCode.None;
}
