using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Portal.Core.Audit;

namespace Portal.Core.Validation;

/// <summary>
/// Folds decisions without a usable key (missing, malformed, unknown: no key to charge them to)
/// into one authentication log record per organization of the door, client address, door, reason
/// code and minute, with a <see cref="AuthenticationLogEntry.Count"/>. A flood of garbage tokens
/// then costs one record per address and minute instead of one each, so it can neither push real
/// records out of the log's queue nor fill the database. The record keeps the first decision's
/// method, path, user agent, hint and latency.
/// </summary>
/// <remarks>
/// At most <see cref="MaxGroups"/> groups per minute; decisions of further groups are folded into
/// one overflow record per minute (no address, path or user agent), counted in
/// <c>portal.protection.keyless_overflow</c>. A minute's records are appended when the next minute's
/// first keyless decision arrives, and by a one-minute timer when none does; those still pending at
/// shutdown are lost (at most a minute of them).
/// </remarks>
public sealed class KeylessDecisions : IDisposable
{
    public const int MaxGroups = 10_000;

    private readonly AuthenticationLog _log;
    private readonly TimeProvider _time;
    private readonly Counter<long> _aggregated;
    private readonly Counter<long> _overflow;
    private readonly ITimer _timer;
    private readonly object _lock = new();
    private Dictionary<GroupKey, Group> _groups = [];
    private Dictionary<GroupKey, Group>? _spare;
    private Group _other;
    private long _minute = long.MinValue;

    public KeylessDecisions(AuthenticationLog log, TimeProvider time, IMeterFactory meters)
    {
        _log = log;
        _time = time;
        var meter = meters.Create(AuthenticationLog.MeterName);
        _aggregated = meter.CreateCounter<long>("portal.protection.keyless_aggregated", description: "Keyless decisions folded into another decision's log record instead of one of their own.");
        _overflow = meter.CreateCounter<long>("portal.protection.keyless_overflow", description: "Keyless decisions folded into the per-minute overflow record because the groups were full.");
        _timer = time.CreateTimer(static state => ((KeylessDecisions)state!).FlushEnded(), this, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>Groups waiting for their minute to end.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count + (_other.Count > 0 ? 1 : 0);
            }
        }
    }

    /// <summary>Counts a keyless decision into its group (the entry's <see cref="AuthenticationLogEntry.KeyId"/> must be null).</summary>
    public void Add(in AuthenticationLogEntry entry)
    {
        var minute = entry.OccurredAt.UtcTicks / TimeSpan.TicksPerMinute;
        Dictionary<GroupKey, Group>? ended = null;
        Group endedOther = default;
        lock (_lock)
        {
            if (minute != _minute)
            {
                (ended, endedOther) = TakeAll();
                _minute = minute;
            }

            var key = new GroupKey(entry.OrganizationId, entry.ClientIp, entry.Door, entry.Code);
            ref var group = ref CollectionsMarshal.GetValueRefOrNullRef(_groups, key);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref group))
            {
                group.Count++;
                _aggregated.Add(1);
            }
            else if (_groups.Count < MaxGroups)
            {
                _groups.Add(key, new Group(entry, 1));
            }
            else
            {
                if (_other.Count == 0)
                {
                    _other = new Group(entry with { ClientIp = null, Path = null, UserAgent = null, KeyHint = null, Method = null }, 0);
                }
                else
                {
                    _aggregated.Add(1);
                }

                _other.Count++;
                _overflow.Add(1);
            }
        }

        if (ended is not null)
        {
            Emit(ended, endedOther);
        }
    }

    /// <summary>Appends every pending group's record now (their minute need not have ended); later decisions start new groups.</summary>
    public void Flush()
    {
        Dictionary<GroupKey, Group> groups;
        Group other;
        lock (_lock)
        {
            (groups, other) = TakeAll();
        }

        Emit(groups, other);
    }

    public void Dispose() => _timer.Dispose();

    // The timer's tick: the groups of a minute that has ended, when no keyless decision came to turn it.
    private void FlushEnded()
    {
        var minute = _time.GetUtcNow().UtcTicks / TimeSpan.TicksPerMinute;
        lock (_lock)
        {
            if (_minute >= minute)
            {
                return;
            }
        }

        Flush();
    }

    private (Dictionary<GroupKey, Group> Groups, Group Other) TakeAll()
    {
        var groups = _groups;
        var other = _other;
        _groups = _spare ?? [];
        _spare = null;
        _other = default;
        return (groups, other);
    }

    private void Emit(Dictionary<GroupKey, Group> groups, Group other)
    {
        foreach (var group in groups.Values)
        {
            _log.TryAppend(group.First with { Count = group.Count });
        }

        if (other.Count > 0)
        {
            _log.TryAppend(other.First with { Count = other.Count });
        }

        groups.Clear();
        lock (_lock)
        {
            // The emptied table serves the next minute, so a steady flood allocates no new one.
            _spare ??= groups;
        }
    }

    private readonly record struct GroupKey(Guid? OrganizationId, string? ClientIp, string Door, string Code);

    private record struct Group(AuthenticationLogEntry First, int Count);
}
