using System.Collections.Concurrent;

namespace Portal.Core.Signatures;

// The per-key shares of the nonce store: how many unexpired nonces each key holds, by generation.
public sealed partial class InMemoryNonceStore
{
    private readonly ConcurrentDictionary<Guid, KeyShare> _shares = new();

    // When idle keys' shares are next swept away (UTC ticks); 0 until the first use.
    private long _nextSweepTicks;

    /// <summary>How many keys have a share tracked now (idle ones go at the next sweep, once a generation).</summary>
    internal int KeysTracked => _shares.Count;

    private KeyShare ShareOf(Guid keyId) =>
        _shares.TryGetValue(keyId, out var share) ? share : _shares.GetOrAdd(keyId, static _ => new KeyShare());

    // Once a generation span, off the request path: the sweep visits every tracked key.
    private void SweepWhenDue(long nowTicks)
    {
        var due = Volatile.Read(ref _nextSweepTicks);
        if (nowTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, nowTicks + GenerationSpan.Ticks, due) != due)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Store.SweepIdleKeys(state.Now), (Store: this, Now: nowTicks), preferLocal: false);
    }

    /// <summary>
    /// Forgets the shares of keys that hold no unexpired nonce at <paramref name="nowTicks"/>, so keys
    /// that stopped signing (or were deleted) cost nothing. Returns how many went.
    /// </summary>
    internal int SweepIdleKeys(long nowTicks)
    {
        var removed = 0;
        foreach (var (keyId, share) in _shares)
        {
            // Retired under the share's lock, so a request that found it before it was removed
            // looks it up again instead of counting in a share no one else sees.
            if (share.TryRetire(nowTicks) && _shares.TryRemove(KeyValuePair.Create(keyId, share)))
            {
                removed++;
            }
        }

        return removed;
    }

    private enum ShareTake
    {
        Taken,
        Full,
        Retired,
    }

    /// <summary>
    /// One key's unexpired nonces, counted per generation (the store's buckets) so that a generation's
    /// count goes when the generation does. A key's nonces span at most a dozen or so generations
    /// (created is at most 300 s old or 30 s ahead, kept 330 s), so a short array is scanned.
    /// </summary>
    private sealed class KeyShare
    {
        private readonly Lock _gate = new();
        private (long Bucket, int Count)[] _generations = new (long, int)[4];
        private int _used;
        private int _total;

        // The end of the earliest generation held (UTC ticks): until then nothing can be dropped.
        private long _firstEndTicks = long.MaxValue;
        private bool _retired;

        /// <summary>Counts one more nonce of generation <paramref name="bucket"/> unless the key holds <paramref name="capacity"/> already.</summary>
        public ShareTake TryTake(long bucket, long nowTicks, int capacity)
        {
            lock (_gate)
            {
                if (_retired)
                {
                    return ShareTake.Retired;
                }

                DropExpired(nowTicks);
                if (_total >= capacity)
                {
                    return ShareTake.Full;
                }

                _total++;
                for (var i = 0; i < _used; i++)
                {
                    if (_generations[i].Bucket == bucket)
                    {
                        _generations[i].Count++;
                        return ShareTake.Taken;
                    }
                }

                if (_used == _generations.Length)
                {
                    Array.Resize(ref _generations, _used * 2);
                }

                _generations[_used++] = (bucket, 1);
                _firstEndTicks = Math.Min(_firstEndTicks, bucket * GenerationSpan.Ticks);
                return ShareTake.Taken;
            }
        }

        public bool IsFull(long nowTicks, int capacity)
        {
            lock (_gate)
            {
                DropExpired(nowTicks);
                return _total >= capacity;
            }
        }

        /// <summary>Marks the share retired when the key holds nothing unexpired; a retired share takes nothing more.</summary>
        public bool TryRetire(long nowTicks)
        {
            lock (_gate)
            {
                DropExpired(nowTicks);
                _retired |= _total == 0;
                return _retired;
            }
        }

        // The store's rule: generation b goes once b × span ≤ now.
        private void DropExpired(long nowTicks)
        {
            if (nowTicks < _firstEndTicks)
            {
                return;
            }

            _firstEndTicks = long.MaxValue;
            for (var i = _used - 1; i >= 0; i--)
            {
                var end = _generations[i].Bucket * GenerationSpan.Ticks;
                if (end <= nowTicks)
                {
                    _total -= _generations[i].Count;
                    _generations[i] = _generations[--_used];
                }
                else
                {
                    _firstEndTicks = Math.Min(_firstEndTicks, end);
                }
            }
        }
    }
}
