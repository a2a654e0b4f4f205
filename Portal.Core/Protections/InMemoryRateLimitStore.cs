using System.Collections.Concurrent;

namespace Portal.Core.Protections;

/// <summary>
/// Rate-limit and quota counters in this process's memory: exact on one node.
/// </summary>
/// <remarks>
/// <para>
/// Each limit is a GCRA (generic cell rate algorithm) with one theoretical arrival time (TAT, in
/// UTC ticks) per limit and key. With emission <c>T</c> and tolerance <c>τ = (burst − 1) × T</c>, a
/// request of cost <c>n</c> at <c>now</c> is allowed when <c>max(TAT, now) + n × T − T − τ ≤ now</c>,
/// and then <c>TAT = max(TAT, now) + n × T</c>: a full limit takes <c>burst</c> requests at once and
/// then one per <c>T</c>. Derived from that:
/// </para>
/// <list type="bullet">
/// <item>Retry-After (refused) = ⌈(max(TAT, now) + n × T − T − τ − now) / 1 s⌉, at least 1: the
/// first instant at which the same request passes.</item>
/// <item>Remaining = ⌊(τ + T − (max(TAT, now) − now)) / T⌋, clamped to [0, burst]: how many
/// requests of cost 1 would pass now (burst when the TAT is not ahead of now).</item>
/// <item>Reset = ⌈(max(TAT, now) − now) / 1 s⌉: when the limit is whole (back to burst) again.</item>
/// </list>
/// <para>
/// A key's state (its TATs, sized to its plan, and its quota count) lives in one object; each
/// decision takes that object's lock (uncontended unless one key is hammered from several threads),
/// checks every limit and the quota, and charges them only if all allow: a refused request
/// consumes nothing. After a key's first decision, <see cref="TryAcquire"/> allocates nothing.
/// When a plan's limits change shape (count, limit, period or burst), that key's TATs start again.
/// </para>
/// <para>
/// Quotas: on first sight, or when <see cref="QuotaPlan.Stamp"/> changes (an admin set the quota),
/// the count starts from <see cref="QuotaPlan.Remaining"/> as of <see cref="QuotaPlan.AsOf"/>; at
/// each refill boundary after that (<see cref="RateLimitRules.PeriodOf"/>) it is set to the refill
/// amount, lazily, at the first decision after the boundary. Each change marks the key for
/// <see cref="DrainChangedQuotas"/>.
/// </para>
/// <para>
/// Memory: a periodic sweep (<see cref="SweepInterval"/>, or <see cref="Sweep"/>) drops keys whose
/// limits are all whole again (every TAT at or before now): such a state equals a fresh one, so
/// dropping it loses nothing. States holding a quota are kept for the life of the process (one
/// small object per key with a quota): the plan a later request brings may carry an older count
/// than memory (snapshots are not reloaded when counts are stored), so dropping one could hand back
/// spent credits.
/// </para>
/// </remarks>
public sealed class InMemoryRateLimitStore : IRateLimitStore, IDisposable
{
    /// <summary>How often idle keys are swept out.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, KeyState> _states = new();
    private readonly Lock _dirtyLock = new();
    private readonly Lock _drainLock = new();
    private readonly ITimer _sweeper;

    // Two lists swapped by each drain, so marking a key changed allocates nothing once they have grown.
    private List<KeyState> _dirty = [];
    private List<KeyState> _spare = [];

    /// <summary>Starts the periodic sweep on <paramref name="time"/>.</summary>
    public InMemoryRateLimitStore(TimeProvider time)
    {
        _sweeper = time.CreateTimer(_ => Sweep(time.GetUtcNow()), null, SweepInterval, SweepInterval);
    }

    /// <summary>The keys held in memory now.</summary>
    public int KeyCount => _states.Count;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is below 1.</exception>
    public LimitOutcome TryAcquire(Guid keyId, RateLimitPlan plan, long cost, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        if (plan.IsEmpty)
        {
            return LimitOutcome.Unlimited;
        }

        var ticks = now.UtcTicks;
        while (true)
        {
            if (!_states.TryGetValue(keyId, out var state))
            {
                state = _states.GetOrAdd(keyId, static id => new KeyState(id));
            }

            lock (state)
            {
                // Swept between the lookup and the lock: take the new state instead.
                if (!state.Evicted)
                {
                    return Decide(state, plan, cost, ticks, charge: true);
                }
            }
        }
    }

    /// <inheritdoc/>
    public bool Covers(Guid keyId, RateLimitPlan plan, long cost, DateTimeOffset now, out LimitOutcome refused)
    {
        refused = default;
        if (plan.IsEmpty)
        {
            return true;
        }

        var ticks = now.UtcTicks;
        while (true)
        {
            if (!_states.TryGetValue(keyId, out var state))
            {
                state = _states.GetOrAdd(keyId, static id => new KeyState(id));
            }

            lock (state)
            {
                if (state.Evicted)
                {
                    continue;
                }

                refused = Decide(state, plan, cost, ticks, charge: false);
                return refused.Verdict == LimitVerdict.Allowed;
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<LimitState> Peek(Guid keyId, RateLimitPlan plan, DateTimeOffset now)
    {
        if (plan.IsEmpty)
        {
            return [];
        }

        if (_states.TryGetValue(keyId, out var state))
        {
            lock (state)
            {
                if (!state.Evicted)
                {
                    return Describe(state, stored: true, plan, now);
                }
            }
        }

        // A key not counted yet: its state as a first decision would find it, not kept.
        return Describe(new KeyState(keyId), stored: false, plan, now);
    }

    /// <inheritdoc/>
    public IReadOnlyList<QuotaCount> DrainChangedQuotas()
    {
        lock (_drainLock)
        {
            List<KeyState> batch;
            lock (_dirtyLock)
            {
                batch = _dirty;
                _dirty = _spare;
            }

            var counts = new List<QuotaCount>(batch.Count);
            foreach (var state in batch)
            {
                lock (state)
                {
                    // Read under the key's lock: a change after the swap is in this count, and a
                    // change after this lock marks the key again.
                    state.Changed = false;
                    if (state.HasQuota)
                    {
                        counts.Add(new QuotaCount(state.KeyId, state.Stamp, state.QuotaRemaining, new DateTimeOffset(state.QuotaAsOfTicks, TimeSpan.Zero)));
                    }
                }
            }

            batch.Clear();
            _spare = batch;
            return counts;
        }
    }

    /// <summary>
    /// Drops the keys whose limits are all whole at <paramref name="now"/> and that hold no quota;
    /// returns how many were dropped. Runs every <see cref="SweepInterval"/> by itself.
    /// </summary>
    public int Sweep(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var dropped = 0;
        foreach (var (keyId, state) in _states)
        {
            lock (state)
            {
                if (state.HasQuota || state.Changed || !IsWhole(state, ticks))
                {
                    continue;
                }

                state.Evicted = true;
                _states.TryRemove(new KeyValuePair<Guid, KeyState>(keyId, state));
                dropped++;
            }
        }

        return dropped;
    }

    /// <summary>Stops the sweep.</summary>
    public void Dispose() => _sweeper.Dispose();

    // Checks every limit and the quota, then (with charge) takes the cost from all of them.
    private LimitOutcome Decide(KeyState state, RateLimitPlan plan, long cost, long now, bool charge)
    {
        SyncLimits(state, plan.Limits);
        var quota = plan.Quota;
        if (quota is null)
        {
            // The quota was taken off the plan: forget it once its last count is drained.
            if (state.HasQuota && !state.Changed)
            {
                state.HasQuota = false;
            }
        }
        else if (SyncQuota(state, quota, now))
        {
            MarkChanged(state);
        }

        var quotaLeft = quota is null ? -1 : state.QuotaRemaining;
        var limits = plan.Limits;
        var tats = state.Tats;

        // Check everything first; charge nothing unless all allow.
        for (var i = 0; i < limits.Length; i++)
        {
            var limit = limits[i];
            var tat = Math.Max(tats[i], now);
            if (cost > limit.Burst)
            {
                // Never passes: more than the limit takes at once.
                return new LimitOutcome(LimitVerdict.RateLimited, i, RemainingOf(limit, tat, now), CeilSeconds(tat - now),
                    Math.Max(1, CeilSeconds(limit.ToleranceTicks + limit.EmissionTicks)), quotaLeft);
            }

            // cost ≤ burst and a tolerance of at most 31 days keep this sum far from overflow.
            var allowedAt = tat + (cost * limit.EmissionTicks) - limit.EmissionTicks - limit.ToleranceTicks;
            if (allowedAt > now)
            {
                return new LimitOutcome(LimitVerdict.RateLimited, i, RemainingOf(limit, tat, now), CeilSeconds(tat - now),
                    Math.Max(1, CeilSeconds(allowedAt - now)), quotaLeft);
            }
        }

        if (quota is not null && state.QuotaRemaining < cost)
        {
            var untilRefill = state.NextRefillTicks == long.MaxValue ? 0 : Math.Max(1, CeilSeconds(state.NextRefillTicks - now));
            return new LimitOutcome(LimitVerdict.QuotaExceeded, -1, state.QuotaRemaining, untilRefill, untilRefill, quotaLeft);
        }

        if (!charge)
        {
            return new LimitOutcome(LimitVerdict.Allowed, -1, -1, 0, 0, quotaLeft);
        }

        var index = -1;
        var remaining = long.MaxValue;
        var reset = 0L;
        for (var i = 0; i < limits.Length; i++)
        {
            var limit = limits[i];
            var tat = Math.Max(tats[i], now) + (cost * limit.EmissionTicks);
            tats[i] = tat;
            var left = RemainingOf(limit, tat, now);
            if (left < remaining)
            {
                (index, remaining, reset) = (i, left, CeilSeconds(tat - now));
            }
        }

        if (quota is not null)
        {
            state.QuotaRemaining -= cost;
            state.QuotaAsOfTicks = now;
            quotaLeft = state.QuotaRemaining;
            MarkChanged(state);
            if (quotaLeft < remaining)
            {
                (index, remaining) = (-1, quotaLeft);
                reset = state.NextRefillTicks == long.MaxValue ? 0 : CeilSeconds(state.NextRefillTicks - now);
            }
        }

        return new LimitOutcome(LimitVerdict.Allowed, index, remaining, reset, 0, quotaLeft);
    }

    private List<LimitState> Describe(KeyState state, bool stored, RateLimitPlan plan, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var result = new List<LimitState>(plan.Limits.Length + 1);
        SyncLimits(state, plan.Limits);
        for (var i = 0; i < plan.Limits.Length; i++)
        {
            var limit = plan.Limits[i];
            var tat = Math.Max(state.Tats[i], ticks);
            result.Add(new LimitState(limit.Name, limit.Limit, limit.PeriodSeconds, RemainingOf(limit, tat, ticks), new DateTimeOffset(tat, TimeSpan.Zero)));
        }

        if (plan.Quota is { } quota)
        {
            if (SyncQuota(state, quota, ticks) && stored)
            {
                MarkChanged(state);
            }

            var (size, seconds) = (quota.Remaining, 0L);
            if (quota.Refill is { Period: { } period } refill)
            {
                var (start, next) = RateLimitRules.PeriodOf(period, now);
                (size, seconds) = (refill.Amount, (long)(next - start).TotalSeconds);
            }

            result.Add(new LimitState(
                RateLimitRules.QuotaName,
                size,
                seconds,
                state.QuotaRemaining,
                state.NextRefillTicks == long.MaxValue ? null : new DateTimeOffset(state.NextRefillTicks, TimeSpan.Zero),
                IsQuota: true));
        }

        return result;
    }

    /// <summary>Requests of cost 1 that would pass now, with the limit's TAT at <paramref name="tat"/> (≥ now).</summary>
    private static long RemainingOf(CompiledRateLimit limit, long tat, long now)
    {
        var room = limit.ToleranceTicks + limit.EmissionTicks - (tat - now);
        return room <= 0 ? 0 : Math.Min(limit.Burst, room / limit.EmissionTicks);
    }

    private static long CeilSeconds(long ticks) =>
        ticks <= 0 ? 0 : ((ticks - 1) / TimeSpan.TicksPerSecond) + 1;

    private static bool IsWhole(KeyState state, long now)
    {
        foreach (var tat in state.Tats)
        {
            if (tat > now)
            {
                return false;
            }
        }

        return true;
    }

    private static void SyncLimits(KeyState state, CompiledRateLimit[] limits)
    {
        if (ReferenceEquals(state.Shape, limits))
        {
            return;
        }

        // A new plan object with the same limits (a snapshot reloaded) keeps the counts.
        if (!SameShape(state.Shape, limits))
        {
            if (state.Tats.Length == limits.Length)
            {
                Array.Clear(state.Tats);
            }
            else
            {
                state.Tats = new long[limits.Length];
            }
        }

        state.Shape = limits;
    }

    private static bool SameShape(CompiledRateLimit[] a, CompiledRateLimit[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i].Limit != b[i].Limit || a[i].PeriodSeconds != b[i].PeriodSeconds || a[i].Burst != b[i].Burst
                || a[i].EmissionTicks != b[i].EmissionTicks || a[i].ToleranceTicks != b[i].ToleranceTicks)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Starts the count from a newly set quota, and refills it past a boundary; true when a refill changed it.</summary>
    private static bool SyncQuota(KeyState state, QuotaPlan quota, long now)
    {
        if (!state.HasQuota || state.Stamp != quota.Stamp)
        {
            // The count as stored: nothing new to write.
            state.HasQuota = true;
            state.Stamp = quota.Stamp;
            state.QuotaRemaining = quota.Remaining;
            state.QuotaAsOfTicks = quota.AsOf.UtcTicks;
            state.NextRefillTicks = quota.Refill is { Period: { } period }
                ? RateLimitRules.PeriodOf(period, quota.AsOf).Next.UtcTicks
                : long.MaxValue;
        }

        if (now < state.NextRefillTicks || quota.Refill is not { Period: { } every } refill)
        {
            return false;
        }

        // Refills set, not add: however many boundaries passed, one refill is the answer.
        state.QuotaRemaining = refill.Amount;
        state.QuotaAsOfTicks = now;
        state.NextRefillTicks = RateLimitRules.PeriodOf(every, new DateTimeOffset(now, TimeSpan.Zero)).Next.UtcTicks;
        return true;
    }

    private void MarkChanged(KeyState state)
    {
        if (state.Changed)
        {
            return;
        }

        state.Changed = true;
        lock (_dirtyLock)
        {
            _dirty.Add(state);
        }
    }

    /// <summary>One key's counters; every field is read and written under a lock on the object.</summary>
    private sealed class KeyState(Guid keyId)
    {
        public readonly Guid KeyId = keyId;

        /// <summary>The limits <see cref="Tats"/> count against.</summary>
        public CompiledRateLimit[] Shape = [];

        /// <summary>Each limit's theoretical arrival time, UTC ticks; 0 for a whole limit.</summary>
        public long[] Tats = [];

        public bool HasQuota;
        public Guid Stamp;
        public long QuotaRemaining;
        public long QuotaAsOfTicks;

        /// <summary>The next refill boundary, UTC ticks; <see cref="long.MaxValue"/> for a quota that is never refilled.</summary>
        public long NextRefillTicks = long.MaxValue;

        /// <summary>The quota changed since the last drain (the key is in the dirty list).</summary>
        public bool Changed;

        /// <summary>Swept out of the dictionary: a decision that still holds it must look the key up again.</summary>
        public bool Evicted;
    }
}
