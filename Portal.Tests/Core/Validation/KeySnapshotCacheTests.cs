using Microsoft.Extensions.Options;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Auth;

namespace Portal.Tests.Core.Validation;

/// <summary>The snapshot cache on its own: freshness, staleness, negative entries, bounds and invalidation.</summary>
public sealed class KeySnapshotCacheTests
{
    private static readonly ValidationOptions Defaults = new();
    private readonly KeyChangeFeed _changes = new();
    private readonly long _now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks;

    [Fact]
    public void TryGet_NothingStored_ReturnsMiss()
    {
        using var cache = NewCache();

        Assert.Equal(CacheLookup.Miss, cache.TryGet(RandomHash(), _now, out var snapshot));
        Assert.Null(snapshot);
    }

    [Fact]
    public void TryGet_KnownEntry_IsFreshThenStaleThenMissing()
    {
        using var cache = NewCache();
        var hash = RandomHash();
        var stored = ValidatorRig.Snapshot(Guid.NewGuid());
        cache.SetKnown(hash, stored, _now);

        Assert.Equal(CacheLookup.Fresh, cache.TryGet(hash, _now + Defaults.CacheFreshFor.Ticks, out var fresh));
        Assert.Equal(CacheLookup.Stale, cache.TryGet(hash, _now + Defaults.CacheFreshFor.Ticks + 1, out var stale));
        Assert.Equal(CacheLookup.Stale, cache.TryGet(hash, _now + Defaults.CacheStaleFor.Ticks, out _));
        Assert.Equal(CacheLookup.Miss, cache.TryGet(hash, _now + Defaults.CacheStaleFor.Ticks + 1, out var gone));
        Assert.Same(stored, fresh);
        Assert.Same(stored, stale);
        Assert.Null(gone);
    }

    [Fact]
    public void TryGet_UnknownEntry_AnswersUnknownUntilItExpires()
    {
        using var cache = NewCache();
        var hash = RandomHash();
        cache.SetUnknown(hash, _now);

        Assert.Equal(CacheLookup.Unknown, cache.TryGet(hash, _now + Defaults.NegativeCacheFor.Ticks - 1, out _));
        Assert.Equal(CacheLookup.Miss, cache.TryGet(hash, _now + Defaults.NegativeCacheFor.Ticks, out _));
    }

    [Fact]
    public void SetUnknown_NegativeCacheTurnedOff_RemembersNothing()
    {
        using var cache = NewCache(new ValidationOptions { NegativeCacheFor = TimeSpan.Zero });
        var hash = RandomHash();

        cache.SetUnknown(hash, _now);

        Assert.Equal(CacheLookup.Miss, cache.TryGet(hash, _now, out _));
        Assert.Equal(0, cache.UnknownCount);
    }

    [Fact]
    public void SetKnown_HashPreviouslyUnknown_ReplacesTheNegativeEntry()
    {
        using var cache = NewCache();
        var hash = RandomHash();
        cache.SetUnknown(hash, _now);

        cache.SetKnown(hash, ValidatorRig.Snapshot(Guid.NewGuid()), _now);

        Assert.Equal(CacheLookup.Fresh, cache.TryGet(hash, _now, out _));
        Assert.Equal(0, cache.UnknownCount);
        Assert.Equal(1, cache.KnownCount);
    }

    [Fact]
    public void SetKnown_MoreKeysThanMaxCachedKeys_StaysWithinTheBound()
    {
        using var cache = NewCache(new ValidationOptions { MaxCachedKeys = 1_000 });

        for (var i = 0; i < 5_000; i++)
        {
            var hash = RandomHash();
            cache.SetKnown(hash, ValidatorRig.Snapshot(Guid.NewGuid()), _now);
            Assert.InRange(cache.KnownCount, 1, 1_000);
        }
    }

    [Fact]
    public void SetUnknown_MoreHashesThanMaxNegativeEntries_StaysWithinTheBound()
    {
        using var cache = NewCache(new ValidationOptions { MaxNegativeEntries = 1_000 });
        var last = RandomHash();

        for (var i = 0; i < 10_000; i++)
        {
            last = RandomHash();
            cache.SetUnknown(last, _now);
            Assert.InRange(cache.UnknownCount, 1, 1_000);
        }

        Assert.Equal(CacheLookup.Unknown, cache.TryGet(last, _now, out _));
    }

    [Fact]
    public void Invalidate_PublishedChange_DropsEveryTokenOfTheKey()
    {
        using var cache = NewCache();
        var keyId = Guid.NewGuid();
        var current = RandomHash();
        var retiring = RandomHash();
        cache.SetKnown(current, ValidatorRig.Snapshot(keyId), _now);
        cache.SetKnown(retiring, ValidatorRig.Snapshot(keyId), _now);

        _changes.Publish(new KeyChange(keyId, [current.ToArray(), retiring.ToArray()]));

        Assert.Equal(CacheLookup.Miss, cache.TryGet(current, _now, out _));
        Assert.Equal(CacheLookup.Miss, cache.TryGet(retiring, _now, out _));
        Assert.Equal(0, cache.KnownCount);
    }

    [Fact]
    public void Invalidate_ChangeNamingTheStoredHashOfAnOlderPepper_DropsTheEntryFiledUnderTheCurrentHash()
    {
        using var cache = NewCache();
        var keyId = Guid.NewGuid();
        var stored = RandomHash();
        var current = RandomHash();
        cache.SetKnown(current, ValidatorRig.Snapshot(keyId), _now, cache.Generation, stored);

        _changes.Publish(new KeyChange(keyId, [stored.ToArray()]));

        Assert.Equal(CacheLookup.Miss, cache.TryGet(current, _now, out _));
    }

    [Fact]
    public void SetKnown_ManyOlderPepperTokens_StaysWithinTheBoundAndEveryEntryStaysReachable()
    {
        using var cache = NewCache(new ValidationOptions { MaxCachedKeys = 1_000 });
        var entries = new List<(HashKey Stored, HashKey Current, Guid KeyId)>();
        for (var i = 0; i < 3_000; i++)
        {
            var entry = (Stored: RandomHash(), Current: RandomHash(), KeyId: Guid.NewGuid());
            entries.Add(entry);
            cache.SetKnown(entry.Current, ValidatorRig.Snapshot(entry.KeyId), _now, cache.Generation, entry.Stored);
            Assert.InRange(cache.KnownCount, 1, 1_000);
        }

        foreach (var (stored, _, keyId) in entries)
        {
            _changes.Publish(new KeyChange(keyId, [stored.ToArray()]));
        }

        Assert.All(entries, e => Assert.Equal(CacheLookup.Miss, cache.TryGet(e.Current, _now, out _)));
    }

    [Fact]
    public void SetKnown_SnapshotReadBeforeAnInvalidation_IsNotKept()
    {
        using var cache = NewCache();
        var hash = RandomHash();
        var readAt = cache.Generation;

        _changes.Publish(new KeyChange(Guid.NewGuid(), [RandomHash().ToArray()]));
        cache.SetKnown(hash, ValidatorRig.Snapshot(Guid.NewGuid()), _now, readAt, hash);

        Assert.Equal(CacheLookup.Miss, cache.TryGet(hash, _now, out _));
        Assert.Equal(0, cache.KnownCount);
    }

    [Fact]
    public void Dispose_StopsListeningToChanges()
    {
        var cache = NewCache();
        var hash = RandomHash();
        cache.SetKnown(hash, ValidatorRig.Snapshot(Guid.NewGuid()), _now);

        cache.Dispose();
        _changes.Publish(new KeyChange(Guid.NewGuid(), [hash.ToArray()]));

        Assert.Equal(CacheLookup.Fresh, cache.TryGet(hash, _now, out _));
    }

    [Fact]
    public void Clear_ForgetsKnownAndUnknown()
    {
        using var cache = NewCache();
        var known = RandomHash();
        var unknown = RandomHash();
        cache.SetKnown(known, ValidatorRig.Snapshot(Guid.NewGuid()), _now);
        cache.SetUnknown(unknown, _now);

        cache.Clear();

        Assert.Equal(CacheLookup.Miss, cache.TryGet(known, _now, out _));
        Assert.Equal(CacheLookup.Miss, cache.TryGet(unknown, _now, out _));
        Assert.Equal(0, cache.KnownCount + cache.UnknownCount);
    }

    private KeySnapshotCache NewCache(ValidationOptions? options = null) => new(Options.Create(options ?? new ValidationOptions()), _changes);

    private static HashKey RandomHash() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
