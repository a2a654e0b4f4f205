using Portal.Core.Access;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Auth;

using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Validation;

/// <summary>
/// How often the validator reads its source: once per key while cached, in the background while
/// stale, once per unknown token (then the negative cache), never for malformed input, and again at
/// once after the key changed on this node.
/// </summary>
public sealed class KeyValidatorCacheTests
{
    [Fact]
    public void Validate_CachedKeyWhileFresh_ReadsSourceOnce()
    {
        var rig = new ValidatorRig();
        var (token, _) = rig.AddKey();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        }

        rig.Clock.Advance(rig.Options.CacheFreshFor);
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token, "orders:read"));
        Assert.Equal(ReasonCodes.InsufficientScope, rig.Validate(token, "orders:write"));

        Assert.Equal(1, rig.Source.Lookups);
    }

    [Fact]
    public void Validate_StaleKey_ServesTheCachedAnswerAndRefreshes()
    {
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        // Revoked on another node: this node learns it only by reading again.
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Clock.Advance(rig.Options.CacheFreshFor + TimeSpan.FromSeconds(1));

        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Fact]
    public async Task Validate_ManyRequestsSeeTheSameStaleKey_OneRefreshReadsSource()
    {
        var rig = new ValidatorRig();
        var (token, _) = rig.AddKey();
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        rig.Clock.Advance(rig.Options.CacheFreshFor + TimeSpan.FromSeconds(1));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Source.Gate = gate;

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        }

        Assert.Equal(2, rig.Source.Lookups);
        rig.Source.Gate = null;
        gate.SetResult();
        await Task.Delay(50);
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Fact]
    public void Validate_PastTheStaleWindow_ReadsSourceBeforeAnswering()
    {
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Clock.Advance(rig.Options.CacheStaleFor + TimeSpan.FromSeconds(1));

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Theory]
    [MemberData(nameof(DoorTestKit.MalformedTokenNames), MemberType = typeof(DoorTestKit))]
    public void Validate_MalformedToken_NeverReadsSource(string kind)
    {
        var rig = new ValidatorRig();

        Assert.Equal(ReasonCodes.Malformed, rig.Validate(DoorTestKit.MalformedToken(kind)));
        Assert.Equal(0, rig.Source.Lookups);
        Assert.Equal(0, rig.Cache.UnknownCount);
    }

    [Fact]
    public void Validate_UnknownToken_ReadsSourceOnceThenTheNegativeCacheAnswers()
    {
        var rig = new ValidatorRig();
        var token = DoorTestKit.UnknownToken();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
        }

        Assert.Equal(1, rig.Source.Lookups);
        Assert.Equal(1, rig.Cache.UnknownCount);

        rig.Clock.Advance(rig.Options.NegativeCacheFor + TimeSpan.FromSeconds(1));
        Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Fact]
    public void Validate_UnknownTokenWithTwoPepperVersions_ReadsEachVersionOnce()
    {
        var rig = new ValidatorRig(pepperVersions: 2);
        var token = DoorTestKit.UnknownToken();

        rig.Validate(token);
        rig.Validate(token);

        Assert.Equal(2, rig.Source.Lookups);
        Assert.Equal(1, rig.Source.LookupsOf(rig.HashOf(token, 1)));
        Assert.Equal(1, rig.Source.LookupsOf(rig.HashOf(token, 2)));
    }

    [Fact]
    public void Validate_TenThousandDistinctRandomTokens_AtMostOneLookupEachAndBoundedNegativeCache()
    {
        var rig = new ValidatorRig(new ValidationOptions { MaxNegativeEntries = 1_000 });
        var tokens = Enumerable.Range(0, 10_000).Select(_ => DoorTestKit.UnknownToken()).ToList();
        var largest = 0;

        foreach (var token in tokens)
        {
            Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
            Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));
            largest = Math.Max(largest, rig.Cache.UnknownCount);
        }

        Assert.Equal(tokens.Count, rig.Source.Lookups);
        Assert.All(tokens, token => Assert.Equal(1, rig.Source.LookupsOf(rig.HashOf(token))));
        Assert.InRange(largest, 1, rig.Options.MaxNegativeEntries);
        Assert.Equal(0, rig.Cache.KnownCount);
    }

    [Fact]
    public void Validate_KeyAddedAfterItsTokenWasUnknown_IsFoundOnceTheNegativeEntryExpires()
    {
        var rig = new ValidatorRig();
        var token = DoorTestKit.UnknownToken();
        Assert.Equal(ReasonCodes.NotFound, rig.Validate(token));

        rig.Source.Put(rig.HashOf(token), ValidatorRig.Snapshot(Guid.NewGuid()));
        rig.Clock.Advance(rig.Options.NegativeCacheFor + TimeSpan.FromSeconds(1));

        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(0, rig.Cache.UnknownCount);
    }

    [Fact]
    public void Invalidate_KeyChangePublished_NextValidateReadsSourceAtOnce()
    {
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Changes.Publish(new KeyChange(snapshot.KeyId, [rig.StoredHashOf(snapshot).ToArray()]));

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
    }

    [Fact]
    public void Invalidate_TokenHashedWithAnOlderPepper_DropsItsCacheEntryAtOnce()
    {
        // The token's stored hash is under pepper 1; the cache files it under the current pepper 2.
        // The change names the stored hash, and must still reach the cached entry.
        var rig = new ValidatorRig(pepperVersions: 2);
        var (token, snapshot) = rig.AddKey(pepperVersion: 1);
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(ReasonCodes.Valid, rig.Validate(token));
        Assert.Equal(2, rig.Source.Lookups);
        rig.ChangeStatus(snapshot, KeyStatus.Revoked);

        rig.Changes.Publish(new KeyChange(snapshot.KeyId, [rig.StoredHashOf(snapshot).ToArray()]));

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
    }

    [Fact]
    public async Task Invalidate_WhileALookupIsInFlight_TheOldAnswerIsNotCached()
    {
        // A request reads the key, the key is revoked and the change published, then the read
        // returns: its (old) snapshot must not be cached over the revocation.
        var rig = new ValidatorRig();
        var (token, snapshot) = rig.AddKey();
        rig.Source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = rig.Validator.ValidateAsync(token, default).AsTask();

        rig.ChangeStatus(snapshot, KeyStatus.Revoked);
        rig.Changes.Publish(new KeyChange(snapshot.KeyId, [rig.StoredHashOf(snapshot).ToArray()]));
        var gate = rig.Source.Gate;
        rig.Source.Gate = null;
        gate.SetResult();
        await inFlight;

        Assert.Equal(ReasonCodes.Revoked, rig.Validate(token));
    }

    [Fact]
    public void Invalidate_ChangeOfAnotherKey_KeepsThisKeyCached()
    {
        var rig = new ValidatorRig();
        var (token, _) = rig.AddKey();
        var (_, other) = rig.AddKey();
        rig.Validate(token);

        rig.Changes.Publish(new KeyChange(other.KeyId, [rig.StoredHashOf(other).ToArray()]));

        rig.Validate(token);
        Assert.Equal(1, rig.Source.Lookups);
    }
}

/// <summary>A key store in memory that counts every lookup, per hash, and can hold a lookup open.</summary>
internal sealed class CountingSnapshotSource : IKeySnapshotSource
{
    private readonly ConcurrentDictionary<HashKey, KeySnapshot> _keys = new();
    private readonly ConcurrentDictionary<HashKey, int> _lookups = new();
    private int _total;

    public int Lookups => Volatile.Read(ref _total);

    /// <summary>When set, each lookup reads its answer first and then waits for this before returning it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int LookupsOf(HashKey hash) => _lookups.TryGetValue(hash, out var count) ? count : 0;

    public void Put(HashKey hash, KeySnapshot snapshot) => _keys[hash] = snapshot;

    public async ValueTask<KeySnapshot?> FindAsync(HashKey hash, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _total);
        _lookups.AddOrUpdate(hash, 1, (_, n) => n + 1);
        var found = _keys.TryGetValue(hash, out var snapshot) ? snapshot : null;
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        return found;
    }
}

/// <summary>A validator over <see cref="CountingSnapshotSource"/> with a fake clock and real caches.</summary>
internal sealed class ValidatorRig
{
    public ValidatorRig(ValidationOptions? options = null, int pepperVersions = 1)
    {
        var peppers = Enumerable.Range(1, pepperVersions).ToDictionary(v => v, _ => RandomNumberGenerator.GetBytes(32));
        Hasher = new KeyHasher(new PepperRing(peppers, currentVersion: pepperVersions));
        Options = options ?? new ValidationOptions();
        Cache = new KeySnapshotCache(Microsoft.Extensions.Options.Options.Create(Options), Changes);
        Validator = new KeyValidator(Hasher, Source, Cache, Clock);
    }

    private readonly Dictionary<Guid, HashKey> _storedHashes = [];

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public ValidationOptions Options { get; }

    public KeyHasher Hasher { get; }

    public CountingSnapshotSource Source { get; } = new();

    public KeyChangeFeed Changes { get; } = new();

    public KeySnapshotCache Cache { get; }

    public KeyValidator Validator { get; }

    public HashKey HashOf(string token, int? pepperVersion = null) =>
        new(Hasher.Hash(token, pepperVersion ?? Hasher.Peppers.CurrentVersion));

    /// <summary>Stores a new key whose token is hashed with <paramref name="pepperVersion"/> (default: current).</summary>
    public (string Token, KeySnapshot Snapshot) AddKey(KeyStatus status = KeyStatus.Active, string[]? scopes = null, int? pepperVersion = null)
    {
        var token = ApiKeyToken.Generate("pk_test");
        var snapshot = Snapshot(Guid.NewGuid(), status, scopes);
        _storedHashes[snapshot.KeyId] = HashOf(token, pepperVersion);
        Source.Put(_storedHashes[snapshot.KeyId], snapshot);
        return (token, snapshot);
    }

    /// <summary>Changes a stored key as another writer would, without telling the cache.</summary>
    public KeySnapshot ChangeStatus(KeySnapshot snapshot, KeyStatus status)
    {
        var changed = Snapshot(snapshot.KeyId, status, snapshot.Scopes);
        Source.Put(StoredHashOf(snapshot), changed);
        return changed;
    }

    public string Validate(string token, string? scope = null) =>
        Validator.ValidateAsync(token, new RequestContext(scope)).AsTask().GetAwaiter().GetResult().Code;

    /// <summary>The hash storage files a key's token under.</summary>
    public HashKey StoredHashOf(KeySnapshot snapshot) => _storedHashes[snapshot.KeyId];

    public static KeySnapshot Snapshot(Guid keyId, KeyStatus status = KeyStatus.Active, string[]? scopes = null) => new()
    {
        KeyId = keyId,
        OrganizationId = Guid.Empty,
        OwnerId = Guid.Empty,
        Name = "test",
        Environment = KeyEnvironment.Test,
        Status = status,
        ExpiresAt = null,
        TokenRetiresAt = null,
        Access = AccessCompiler.FromScopes(scopes ?? ["orders:read"]),
    };
}
