using Portal.Core.Access;
using Microsoft.Extensions.Options;
using Portal.Core.Keys;
using Portal.Core.Validation;

namespace Portal.Benchmarks.Validation;

/// <summary>A validator over an in-memory source: the database is out of the measured path, as it is for cached keys.</summary>
internal sealed class ValidationFixture
{
    public ValidationFixture(int maxCachedKeys = 1_000_000)
    {
        Pepper = new byte[32];
        Random.Shared.NextBytes(Pepper);
        Hasher = new KeyHasher(new PepperRing(new Dictionary<int, byte[]> { [1] = Pepper }, 1));
        Cache = new KeySnapshotCache(Options.Create(new ValidationOptions { MaxCachedKeys = maxCachedKeys, CacheFreshFor = TimeSpan.FromHours(1), CacheStaleFor = TimeSpan.FromHours(1) }), new KeyChangeFeed());
        Source = new MemorySource();
        Validator = new KeyValidator(Hasher, Source, Cache, TimeProvider.System);
    }

    public byte[] Pepper { get; }

    public KeyHasher Hasher { get; }

    public KeySnapshotCache Cache { get; }

    public MemorySource Source { get; }

    public KeyValidator Validator { get; }

    /// <summary>Shares compiled access between snapshots with the same scopes, as the database source does.</summary>
    public AccessCompiler Compiler { get; } = new();

    public HashKey HashOf(string token) => new(Hasher.Hash(token, 1));

    public KeySnapshot Snapshot(string name, string[] scopes) => new()
    {
        KeyId = Guid.CreateVersion7(),
        OrganizationId = Guid.CreateVersion7(),
        OwnerId = Guid.CreateVersion7(),
        Name = name,
        Environment = KeyEnvironment.Live,
        Status = KeyStatus.Active,
        ExpiresAt = DateTimeOffset.UtcNow.AddDays(30),
        TokenRetiresAt = null,
        Access = Compiler.Compile(scopes, [], null, []),
    };

    internal sealed class MemorySource : IKeySnapshotSource
    {
        public Dictionary<HashKey, KeySnapshot> Keys { get; } = [];

        public ValueTask<KeySnapshot?> FindAsync(HashKey hash, CancellationToken cancellationToken) =>
            new(Keys.GetValueOrDefault(hash));
    }
}
