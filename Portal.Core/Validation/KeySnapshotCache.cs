using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Portal.Core.Access;
using Portal.Core.Keys;

namespace Portal.Core.Validation;

/// <summary>
/// This node's memory of tokens: found keys by hash (fresh, then stale-while-revalidate) and
/// unknown hashes (negative entries), both bounded. Dropped at once when a key changes on this node.
/// </summary>
/// <remarks>
/// Found keys are bounded twice: in entries (<see cref="ValidationOptions.MaxCachedKeys"/>) and in
/// estimated bytes (<see cref="ValidationOptions.MaxCacheBytes"/>), since one key's grants can weigh
/// a thousand times another's. An entry is charged its own size (see <see cref="EntryBytes"/>); a
/// compiled access is charged once however many entries share it, and released with the last of
/// them. Going over either bound evicts entries until the new one fits; an entry larger than half
/// the byte budget is not cached at all (its key is read from storage on every request).
/// </remarks>
public sealed class KeySnapshotCache : IDisposable
{
    private readonly ConcurrentDictionary<HashKey, Entry> _known = new();
    private readonly ConcurrentDictionary<HashKey, long> _unknown = new();

    // Tokens hashed with an older pepper are filed under their current-pepper hash, but a change
    // names the stored hash: this maps one to the other so the change still finds the entry.
    private readonly ConcurrentDictionary<HashKey, HashKey> _aliases = new();

    // Stale entries being read again: one read per entry, however many requests see it stale.
    private readonly ConcurrentDictionary<HashKey, byte> _refreshing = new();
    private readonly KeyChangeFeed _changes;
    private readonly long _freshTicks;
    private readonly long _staleTicks;
    private readonly long _negativeTicks;
    private readonly int _maxKnown;
    private readonly int _maxUnknown;
    private readonly long _maxBytes;

    // How many cached entries hold each compiled access, and its estimated size: an access shared
    // by a million keys is charged once. Touched only when entries come and go, never on a hit.
    private readonly Dictionary<CompiledAccess, (int Holders, long Bytes)> _accesses = new(ReferenceEqualityComparer.Instance);
    private long _bytes;
    private int _knownCount;
    private int _unknownCount;
    private int _aliasCount;
    private long _generation;

    public KeySnapshotCache(IOptions<ValidationOptions> options, KeyChangeFeed changes)
    {
        var o = options.Value;
        _freshTicks = o.CacheFreshFor.Ticks;
        _staleTicks = Math.Max(o.CacheStaleFor.Ticks, _freshTicks);
        _negativeTicks = o.NegativeCacheFor.Ticks;
        _maxKnown = o.MaxCachedKeys;
        _maxUnknown = o.MaxNegativeEntries;
        _maxBytes = o.MaxCacheBytes;
        _changes = changes;
        _changes.Changed += Invalidate;
    }

    public int KnownCount => Volatile.Read(ref _knownCount);

    public int UnknownCount => Volatile.Read(ref _unknownCount);

    /// <summary>The estimated bytes the found keys take: their entries and each distinct compiled access once.</summary>
    public long EstimatedBytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// The estimated bytes of one entry without its compiled access: the map's node and key, the
    /// snapshot with its name and API ids.
    /// </summary>
    public static long EntryBytes(KeySnapshot snapshot) =>
        EntryOverhead + AccessSize.OfString(snapshot.Name.Length) + (snapshot.ApiIds.Length == 0 ? 0 : 24 + (16L * snapshot.ApiIds.Length));

    // Node (header, hash key, entry, next, hash code) and snapshot (header, three ids, times, references).
    private const long EntryOverhead = 96 + 136;

    /// <summary>
    /// Moves on with every invalidation. A reader takes it before reading a key from storage and
    /// hands it to <see cref="SetKnown(in HashKey, KeySnapshot, long, long, in HashKey)"/>, so a snapshot
    /// read before a change is never cached after it.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    public CacheLookup TryGet(in HashKey hash, long nowTicks, out KeySnapshot? snapshot)
    {
        if (_known.TryGetValue(hash, out var entry))
        {
            var age = nowTicks - entry.LoadedAtTicks;
            if (age <= _freshTicks)
            {
                snapshot = entry.Snapshot;
                return CacheLookup.Fresh;
            }

            if (age <= _staleTicks)
            {
                snapshot = entry.Snapshot;
                return CacheLookup.Stale;
            }
        }

        snapshot = null;
        if (_unknown.TryGetValue(hash, out var until) && nowTicks < until)
        {
            return CacheLookup.Unknown;
        }

        return CacheLookup.Miss;
    }

    /// <summary>Claims the refresh of a stale entry; false when another request already refreshes it.</summary>
    public bool TryBeginRefresh(in HashKey hash) => _refreshing.TryAdd(hash, 0);

    public void EndRefresh(in HashKey hash) => _refreshing.TryRemove(hash, out _);

    public void SetKnown(in HashKey hash, KeySnapshot snapshot, long nowTicks) =>
        SetKnown(hash, snapshot, nowTicks, Generation, hash);

    /// <param name="readAtGeneration">The <see cref="Generation"/> taken before the snapshot was read.</param>
    /// <param name="storedHash">The hash storage files the token under; differs from <paramref name="hash"/> for an older pepper.</param>
    public void SetKnown(in HashKey hash, KeySnapshot snapshot, long nowTicks, long readAtGeneration, in HashKey storedHash)
    {
        if (_unknown.TryRemove(hash, out _))
        {
            Interlocked.Decrement(ref _unknownCount);
        }

        var entry = new Entry(snapshot, nowTicks, EntryBytes(snapshot));
        var incoming = entry.Bytes + NewAccessBytes(snapshot.Access);
        if (incoming > _maxBytes / 2)
        {
            // Too large to keep without pushing out half the cache: read from storage each time.
            RemoveKnown(hash);
            return;
        }

        while (Volatile.Read(ref _knownCount) > 0
            && ((Volatile.Read(ref _knownCount) >= _maxKnown && !_known.ContainsKey(hash)) || EstimatedBytes + incoming > _maxBytes))
        {
            if (!EvictHalfKnown())
            {
                break;
            }
        }

        // Charged before it is visible, released by whoever removes it: the bytes never go below zero.
        Hold(entry);
        while (true)
        {
            if (_known.TryAdd(hash, entry))
            {
                Interlocked.Increment(ref _knownCount);
                break;
            }

            if (_known.TryGetValue(hash, out var replaced) && _known.TryUpdate(hash, entry, replaced))
            {
                Release(replaced);
                break;
            }
        }

        if (!storedHash.Equals(hash))
        {
            AddAlias(storedHash, hash);
        }

        // Checked after adding: an invalidation from here on removes the entry itself, and one
        // since the read began has moved the generation on. Either way the old state is not kept.
        if (Generation != readAtGeneration && _known.TryRemove(new KeyValuePair<HashKey, Entry>(hash, entry)))
        {
            Interlocked.Decrement(ref _knownCount);
            Release(entry);
        }
    }

    public void SetUnknown(in HashKey hash, long nowTicks)
    {
        if (_negativeTicks == 0)
        {
            return;
        }

        if (Volatile.Read(ref _unknownCount) >= _maxUnknown)
        {
            EvictHalf(_unknown, ref _unknownCount);
        }

        if (_unknown.TryAdd(hash, nowTicks + _negativeTicks))
        {
            Interlocked.Increment(ref _unknownCount);
        }
        else
        {
            _unknown[hash] = nowTicks + _negativeTicks;
        }
    }

    /// <summary>Drops every cached token of a changed key, so the next request reads it again.</summary>
    public void Invalidate(KeyChange change)
    {
        // First: a read in flight must see the change before its entry could outlive the removal below.
        Interlocked.Increment(ref _generation);
        foreach (var bytes in change.Hashes)
        {
            var hash = new HashKey(bytes);
            RemoveKnown(hash);
            if (_aliases.TryRemove(hash, out var alias))
            {
                Interlocked.Decrement(ref _aliasCount);
                RemoveKnown(alias);
            }
        }
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        foreach (var hash in _known.Keys)
        {
            RemoveKnown(hash);
        }

        _unknown.Clear();
        _aliases.Clear();
        Volatile.Write(ref _unknownCount, 0);
        Volatile.Write(ref _aliasCount, 0);
    }

    public void Dispose() => _changes.Changed -= Invalidate;

    private void RemoveKnown(in HashKey hash)
    {
        if (_known.TryRemove(hash, out var removed))
        {
            Interlocked.Decrement(ref _knownCount);
            Release(removed);
        }
    }

    // The bytes an access would add if an entry holding it came in now: nothing when already held.
    private long NewAccessBytes(CompiledAccess access)
    {
        lock (_accesses)
        {
            return _accesses.ContainsKey(access) ? 0 : AccessSize.Of(access);
        }
    }

    private void Hold(Entry entry)
    {
        long added = entry.Bytes;
        lock (_accesses)
        {
            var access = entry.Snapshot.Access;
            if (_accesses.TryGetValue(access, out var use))
            {
                _accesses[access] = (use.Holders + 1, use.Bytes);
            }
            else
            {
                var bytes = AccessSize.Of(access);
                _accesses[access] = (1, bytes);
                added += bytes;
            }
        }

        Interlocked.Add(ref _bytes, added);
    }

    private void Release(Entry entry)
    {
        long freed = entry.Bytes;
        lock (_accesses)
        {
            var access = entry.Snapshot.Access;
            if (_accesses.TryGetValue(access, out var use))
            {
                if (use.Holders <= 1)
                {
                    _accesses.Remove(access);
                    freed += use.Bytes;
                }
                else
                {
                    _accesses[access] = (use.Holders - 1, use.Bytes);
                }
            }
        }

        Interlocked.Add(ref _bytes, -freed);
    }

    // Rare (only when full): an arbitrary half, as for the negative entries. False when nothing was left to drop.
    private bool EvictHalfKnown()
    {
        var i = 0;
        foreach (var pair in _known)
        {
            if (i++ % 2 == 0)
            {
                RemoveKnown(pair.Key);
            }
        }

        return i > 0;
    }

    private void AddAlias(in HashKey storedHash, in HashKey hash)
    {
        if (Volatile.Read(ref _aliasCount) >= _maxKnown)
        {
            // Rare: only old-pepper tokens have aliases. Dropping an alias drops its entry too, so no
            // cached entry is ever out of reach of an invalidation.
            foreach (var (stored, cached) in _aliases)
            {
                if (_aliases.TryRemove(stored, out _))
                {
                    Interlocked.Decrement(ref _aliasCount);
                    RemoveKnown(cached);
                }
            }
        }

        if (_aliases.TryAdd(storedHash, hash))
        {
            Interlocked.Increment(ref _aliasCount);
        }
        else
        {
            _aliases[storedHash] = hash;
        }
    }

    // Rare (only when full): dropping an arbitrary half keeps the bound without per-hit LRU bookkeeping
    // on the hot path; dropped entries are simply read again.
    private static void EvictHalf<TValue>(ConcurrentDictionary<HashKey, TValue> map, ref int count)
    {
        var i = 0;
        foreach (var pair in map)
        {
            if (i++ % 2 == 0 && map.TryRemove(pair.Key, out _))
            {
                Interlocked.Decrement(ref count);
            }
        }
    }

    private readonly record struct Entry(KeySnapshot Snapshot, long LoadedAtTicks, long Bytes);
}

public enum CacheLookup
{
    Miss,
    Fresh,
    Stale,
    Unknown,
}
