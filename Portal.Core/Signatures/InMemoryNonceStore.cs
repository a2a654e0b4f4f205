using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;

namespace Portal.Core.Signatures;

/// <summary>
/// The nonce store of one node: bounded as a whole and per key, thread-safe, exact on one node.
/// </summary>
/// <remarks>
/// <para>
/// Each (key, nonce) pair is kept as a 16-byte digest (XXH128 of the key id and the nonce, seeded
/// with a per-process random value), never the nonce itself. A fast non-cryptographic hash is
/// enough here: two pairs sharing a digest can only make a fresh request look like a replay (a
/// refusal, never a pass), a client can only add pairs under its own key and only with a valid
/// signature, and the unknown seed keeps digests from being aimed at one slot of a table.
/// </para>
/// <para>
/// Entries sit in generations by expiry, <see cref="GenerationSpan"/> wide, each an insert-only
/// open-addressing table; a generation is dropped whole once its last possible expiry has passed,
/// so nothing is forgotten early and expiry costs nothing per entry. The pairs are spread over
/// shards by digest, each with its own lock.
/// </para>
/// <para>
/// <b>Each key has a share.</b> A key may hold at most <see cref="CapacityPerKey"/> unexpired
/// nonces, counted per key and per generation (the same generations as the entries), so a key's
/// share frees as its generations expire. Without it, one key signing a few thousand fresh requests
/// a second would keep the store full and every other key's signed requests would be refused; with
/// it, that key alone is refused (<see cref="NonceUse.KeyShareFull"/>). The count is exact across
/// shards; a key's count goes when the key has held nothing for a generation.
/// </para>
/// <para>
/// <b>Full means refuse.</b> When <see cref="Capacity"/> unexpired entries are held, a new nonce is
/// refused (the signed request fails) instead of an older one being forgotten: forgetting would let
/// that older signed request be replayed. Refusals are counted on the <c>Portal.Authentication</c>
/// meter: a full store in <c>portal.signatures.nonce_store_full</c>, a full key share in
/// <c>portal.signatures.nonce_key_share_full</c>, replays in <c>portal.signatures.nonce_replays</c>;
/// the entries held in <c>portal.signatures.nonces</c>. With the default 1,000,000 entries and
/// nonces kept 330 s, the store holds a sustained ~3,000 distinct signed requests per second, and
/// one key ~300 (the default share, a tenth); beyond that, raise <c>Signatures:NonceCapacity</c>
/// and <c>Signatures:NonceCapacityPerKey</c> (memory: 32 to 64 bytes per entry, the tables being
/// kept at most half full). With a large capacity the entries are split over 16 shards, so one
/// shard may fill a little before the total does.
/// </para>
/// </remarks>
public sealed partial class InMemoryNonceStore : INonceStore
{
    /// <summary>The capacity when none is configured.</summary>
    public const int DefaultCapacity = 1_000_000;

    /// <summary>The width of one generation of expiries.</summary>
    public static readonly TimeSpan GenerationSpan = TimeSpan.FromSeconds(30);

    // Below this many entries one shard keeps the bound exact.
    private const int ShardedFrom = 65_536;
    private const int ShardCount = 16;

    private readonly Shard[] _shards;
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));
    private readonly Counter<long>? _full;
    private readonly Counter<long>? _keyShareFull;
    private readonly Counter<long>? _replays;

    /// <summary>
    /// A store of <see cref="SignatureOptions.NonceCapacity"/> entries and
    /// <see cref="SignatureOptions.EffectiveNonceCapacityPerKey"/> per key, counted on the
    /// <c>Portal.Authentication</c> meter.
    /// </summary>
    public InMemoryNonceStore(IOptions<SignatureOptions> options, IMeterFactory meters)
        : this(options.Value.NonceCapacity, options.Value.EffectiveNonceCapacityPerKey, meters)
    {
    }

    /// <summary>
    /// A store of <paramref name="capacity"/> entries, at most <paramref name="capacityPerKey"/> of
    /// them for one key (default: a tenth of <paramref name="capacity"/>, at least 1); metrics only
    /// when <paramref name="meters"/> is given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1, or <paramref name="capacityPerKey"/> is not between 1 and <paramref name="capacity"/>.</exception>
    public InMemoryNonceStore(int capacity, int? capacityPerKey = null, IMeterFactory? meters = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var perKey = capacityPerKey ?? SignatureOptions.DefaultNonceCapacityPerKey(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(perKey, 1, nameof(capacityPerKey));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(perKey, capacity, nameof(capacityPerKey));
        Capacity = capacity;
        CapacityPerKey = perKey;
        var shards = capacity >= ShardedFrom ? ShardCount : 1;
        _shards = new Shard[shards];
        for (var i = 0; i < shards; i++)
        {
            _shards[i] = new Shard((capacity / shards) + (i < capacity % shards ? 1 : 0));
        }

        if (meters is not null)
        {
            var meter = meters.Create(AuthenticationLog.MeterName);
            _full = meter.CreateCounter<long>("portal.signatures.nonce_store_full", description: "Signed requests refused because the nonce store was full of unexpired nonces.");
            _keyShareFull = meter.CreateCounter<long>("portal.signatures.nonce_key_share_full", description: "Signed requests refused because their key held its share of unexpired nonces.");
            _replays = meter.CreateCounter<long>("portal.signatures.nonce_replays", description: "Signed requests refused because their nonce was already used.");
            meter.CreateObservableGauge("portal.signatures.nonces", () => (long)Count, description: "Nonces held by the in-memory store.");
        }
    }

    /// <summary>The most unexpired nonces held at once, all keys together.</summary>
    public int Capacity { get; }

    /// <summary>The most unexpired nonces one key may hold at once.</summary>
    public int CapacityPerKey { get; }

    /// <summary>The entries held now (expired generations are dropped at the next use of their shard).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var shard in _shards)
            {
                count += Volatile.Read(ref shard.Count);
            }

            return count;
        }
    }

    /// <summary>Refusals because the store was full, since start.</summary>
    public long FullRefusals => Interlocked.Read(ref _fullRefusals);

    /// <summary>Refusals because the key held its share, since start.</summary>
    public long KeyShareRefusals => Interlocked.Read(ref _keyShareRefusals);

    private long _fullRefusals;
    private long _keyShareRefusals;

    /// <inheritdoc/>
    public NonceUse TryUse(Guid keyId, string nonce, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        if (expiresAt <= now)
        {
            return NonceUse.Expired;
        }

        var digest = Digest(keyId, nonce);
        var shard = _shards[(int)(digest.Low % (ulong)_shards.Length)];
        var nowTicks = now.UtcTicks;
        var bucket = Bucket(expiresAt.UtcTicks);
        SweepWhenDue(nowTicks);
        NonceUse use;
        while (!TryRecord(shard, digest, ShareOf(keyId), bucket, nowTicks, out use))
        {
            // The key's share was swept away as idle between the lookup and the lock: look it up again.
        }

        return use;
    }

    // False only when the share was retired meanwhile (nothing recorded); else the answer in use.
    private bool TryRecord(Shard shard, NonceDigest digest, KeyShare share, long bucket, long nowTicks, out NonceUse use)
    {
        lock (shard.Gate)
        {
            shard.DropExpired(nowTicks);
            var target = shard.Generation(bucket);
            var generations = shard.Generations;
            for (var i = 0; i < generations.Count; i++)
            {
                if (!ReferenceEquals(generations[i], target) && generations[i].Contains(digest))
                {
                    // A replay is a replay whatever else is full.
                    use = Replay();
                    return true;
                }
            }

            if (shard.Count >= shard.Capacity)
            {
                // The key that filled its share is told so, whoever else is refused for the store.
                use = target.Contains(digest) ? Replay() : share.IsFull(nowTicks, CapacityPerKey) ? KeyShareFull() : StoreFull();
                return true;
            }

            // One walk of the target's probe sequence: it finds the pair, or the slot it will take.
            if (target.Locate(digest, out var slot))
            {
                use = Replay();
                return true;
            }

            // The key's share is taken under the shard's lock (shard, then share: never the other
            // way), once the pair is known to be new, so the share counts only accepted nonces.
            var taken = share.TryTake(bucket, nowTicks, CapacityPerKey);
            if (taken == ShareTake.Retired)
            {
                use = default;
                return false;
            }

            if (taken == ShareTake.Full)
            {
                use = KeyShareFull();
                return true;
            }

            target.Fill(slot, digest);
            shard.Count++;
            use = NonceUse.Accepted;
            return true;
        }
    }

    private NonceUse Replay()
    {
        _replays?.Add(1);
        return NonceUse.Replayed;
    }

    private NonceUse StoreFull()
    {
        Interlocked.Increment(ref _fullRefusals);
        _full?.Add(1);
        return NonceUse.StoreFull;
    }

    private NonceUse KeyShareFull()
    {
        Interlocked.Increment(ref _keyShareRefusals);
        _keyShareFull?.Add(1);
        return NonceUse.KeyShareFull;
    }

    // Generation b holds expiries in ((b - 1) × span, b × span]; it can go once b × span ≤ now.
    private static long Bucket(long expiresTicks) => (expiresTicks + GenerationSpan.Ticks - 1) / GenerationSpan.Ticks;

    private NonceDigest Digest(Guid keyId, string nonce)
    {
        var length = 16 + Encoding.UTF8.GetMaxByteCount(nonce.Length);
        byte[]? rented = null;
        Span<byte> input = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            keyId.TryWriteBytes(input);
            var written = Encoding.UTF8.GetBytes(nonce, input[16..]);
            var digest = XxHash128.HashToUInt128(input[..(16 + written)], _seed);
            return new NonceDigest((ulong)digest, (ulong)(digest >> 64));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private readonly record struct NonceDigest(ulong Low, ulong High);

    private sealed class Shard(int capacity)
    {
        public readonly Lock Gate = new();
        public readonly List<Generation> Generations = [];
        public readonly int Capacity = capacity;
        public int Count;

        public void DropExpired(long nowTicks)
        {
            for (var i = Generations.Count - 1; i >= 0; i--)
            {
                var generation = Generations[i];
                if (generation.Bucket * GenerationSpan.Ticks <= nowTicks)
                {
                    Count -= generation.Count;
                    Generations.RemoveAt(i);
                }
            }
        }

        public Generation Generation(long bucket)
        {
            foreach (var generation in Generations)
            {
                if (generation.Bucket == bucket)
                {
                    return generation;
                }
            }

            // Sized for as many entries as the fullest live generation holds, so that in a steady
            // flow a new generation does not grow (and rehash) its way up.
            var expected = 0;
            foreach (var generation in Generations)
            {
                expected = Math.Max(expected, generation.Count);
            }

            var created = new Generation(bucket, Math.Min(expected, Capacity));
            Generations.Add(created);
            return created;
        }
    }

    /// <summary>
    /// The digests expiring in one span: an insert-only open-addressing table (linear probing, at
    /// most half full), dropped whole. One probe usually touches one cache line, where a HashSet
    /// reads a bucket and then an entry elsewhere; nothing is ever removed, so no tombstones.
    /// </summary>
    private sealed class Generation(long bucket, int expectedEntries)
    {
        private const int MinSlots = 1024;

        // (0, 0) marks an empty slot; digests are stored with their top bit set, so none is (0, 0).
        private NonceDigest[] _slots = new NonceDigest[Math.Max(MinSlots, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)expectedEntries * 2))];

        public long Bucket { get; } = bucket;

        public int Count { get; private set; }

        public bool Contains(NonceDigest digest)
        {
            var stored = Stored(digest);
            var mask = _slots.Length - 1;
            for (var i = (int)(stored.Low & (ulong)mask); ; i = (i + 1) & mask)
            {
                var slot = _slots[i];
                if (slot == stored)
                {
                    return true;
                }

                if (slot.High == 0)
                {
                    return false;
                }
            }
        }

        /// <summary>
        /// Makes room for one more entry, then looks for the digest: true when it is there; else
        /// <paramref name="emptySlot"/> is where it goes (<see cref="Fill"/>, under the same lock).
        /// </summary>
        public bool Locate(NonceDigest digest, out int emptySlot)
        {
            if ((Count + 1) * 2 > _slots.Length)
            {
                Grow();
            }

            var stored = Stored(digest);
            var mask = _slots.Length - 1;
            for (var i = (int)(stored.Low & (ulong)mask); ; i = (i + 1) & mask)
            {
                var slot = _slots[i];
                if (slot == stored)
                {
                    emptySlot = -1;
                    return true;
                }

                if (slot.High == 0)
                {
                    emptySlot = i;
                    return false;
                }
            }
        }

        /// <summary>Stores the digest in the empty slot <see cref="Locate"/> found for it.</summary>
        public void Fill(int emptySlot, NonceDigest digest)
        {
            _slots[emptySlot] = Stored(digest);
            Count++;
        }

        private static NonceDigest Stored(NonceDigest digest) => digest with { High = digest.High | (1UL << 63) };

        // Only Grow places digests, each known to be absent: only an empty slot is looked for.
        private static void Place(NonceDigest[] slots, NonceDigest stored)
        {
            var mask = slots.Length - 1;
            var i = (int)(stored.Low & (ulong)mask);
            while (slots[i].High != 0)
            {
                i = (i + 1) & mask;
            }

            slots[i] = stored;
        }

        private void Grow()
        {
            var grown = new NonceDigest[_slots.Length * 2];
            foreach (var slot in _slots)
            {
                if (slot.High != 0)
                {
                    Place(grown, slot);
                }
            }

            _slots = grown;
        }
    }
}
