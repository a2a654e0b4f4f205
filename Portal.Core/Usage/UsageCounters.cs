using System.Collections.Concurrent;

namespace Portal.Core.Usage;

/// <summary>
/// In-memory per-minute counts of decisions per key and reason code, and each key's last use.
/// Counting allocates only the first time a key is seen in a minute; <see cref="UsageFlusher"/>
/// moves the counts to the database in batches.
/// </summary>
public sealed class UsageCounters
{
    private readonly ConcurrentDictionary<CounterKey, Counter> _counts = new();
    private ConcurrentDictionary<Guid, LastUse> _lastUse = new();

    public void Count(Guid keyId, Guid organizationId, string code, DateTimeOffset at, string? clientIp)
    {
        var minute = at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute;
        Add(new CounterKey(keyId, organizationId, minute, code), 1);

        // Last use is kept to the second: rewriting it on every request would allocate per request.
        if (!_lastUse.TryGetValue(keyId, out var last) || last.AtTicks < at.UtcTicks - TimeSpan.TicksPerSecond)
        {
            _lastUse[keyId] = new LastUse(at.UtcTicks, clientIp);
        }
    }

    /// <summary>
    /// Takes every count made so far. Counters are read-and-zeroed atomically, so a request counted
    /// while draining lands in this batch or the next, never nowhere. Counters of minutes before
    /// <paramref name="nowTicks"/>'s previous minute are dropped from memory once read.
    /// </summary>
    public UsageBatch Drain(long nowTicks)
    {
        var oldMinute = nowTicks - nowTicks % TimeSpan.TicksPerMinute - TimeSpan.TicksPerMinute;
        var counts = new List<(CounterKey Key, long Count)>();
        foreach (var (key, counter) in _counts)
        {
            var value = Interlocked.Exchange(ref counter.Value, 0);
            if (key.MinuteTicks < oldMinute && _counts.TryRemove(key, out _))
            {
                // Retired before the last read: a count that reaches it afterwards sees the flag and moves itself on.
                Volatile.Write(ref counter.Retired, true);
                value += Interlocked.Exchange(ref counter.Value, 0);
            }

            if (value > 0)
            {
                counts.Add((key, value));
            }
        }

        var lastUse = Interlocked.Exchange(ref _lastUse, new ConcurrentDictionary<Guid, LastUse>());
        return new UsageBatch(counts, lastUse);
    }

    /// <summary>Puts back counts that could not be written, so the next flush tries them again.</summary>
    public void Restore(UsageBatch batch)
    {
        foreach (var (key, count) in batch.Counts)
        {
            Add(key, count);
        }
    }

    private void Add(CounterKey key, long count)
    {
        while (count > 0)
        {
            var counter = _counts.GetOrAdd(key, static _ => new Counter());
            Interlocked.Add(ref counter.Value, count);
            if (!Volatile.Read(ref counter.Retired))
            {
                return;
            }

            // Drain removed this counter while we held it. Whatever it still holds (ours, or others'
            // that came late too) was not taken by the drain: take it back into a live counter.
            count = Interlocked.Exchange(ref counter.Value, 0);
        }
    }

    public readonly record struct CounterKey(Guid KeyId, Guid OrganizationId, long MinuteTicks, string Code);

    public sealed class Counter
    {
        public long Value;

        /// <summary>Set once the counter has left the map; counts that still reach it must move on.</summary>
        public bool Retired;
    }

    public readonly record struct LastUse(long AtTicks, string? ClientIp);
}

/// <summary>A drained set of counts, ready to be written.</summary>
public sealed record UsageBatch(
    IReadOnlyList<(UsageCounters.CounterKey Key, long Count)> Counts,
    IReadOnlyDictionary<Guid, UsageCounters.LastUse> LastUse)
{
    public bool IsEmpty => Counts.Count == 0 && LastUse.Count == 0;
}
