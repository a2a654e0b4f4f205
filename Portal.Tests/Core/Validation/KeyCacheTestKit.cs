using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Keys;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Validation;

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

    public void Put(KeySnapshot snapshot) => _keys[snapshot.Hash] = snapshot;

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
        var snapshot = Snapshot(HashOf(token, pepperVersion), Guid.NewGuid(), status, scopes);
        Source.Put(snapshot);
        return (token, snapshot);
    }

    /// <summary>Changes a stored key as another writer would, without telling the cache.</summary>
    public KeySnapshot ChangeStatus(KeySnapshot snapshot, KeyStatus status)
    {
        var changed = Snapshot(snapshot.Hash, snapshot.KeyId, status, snapshot.Scopes);
        Source.Put(changed);
        return changed;
    }

    public string Validate(string token, string? scope = null) =>
        Validator.ValidateAsync(token, new RequestContext(scope)).AsTask().GetAwaiter().GetResult().Code;

    public static KeySnapshot Snapshot(HashKey hash, Guid keyId, KeyStatus status = KeyStatus.Active, string[]? scopes = null) => new()
    {
        Hash = hash,
        KeyId = keyId,
        OrganizationId = Guid.Empty,
        OwnerId = Guid.Empty,
        Name = "test",
        Environment = KeyEnvironment.Test,
        Status = status,
        ExpiresAt = null,
        TokenRetiresAt = null,
        Scopes = scopes ?? ["orders:read"],
    };
}
