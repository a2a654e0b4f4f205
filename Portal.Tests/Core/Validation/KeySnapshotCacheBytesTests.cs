using Microsoft.Extensions.Options;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Validation;

/// <summary>The snapshot cache and the shared compiled access bounded in estimated bytes, not only in entries.</summary>
public sealed class KeySnapshotCacheBytesTests
{
    private const long Budget = 1 << 20;
    private readonly long _now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks;

    [Fact]
    public void SetKnown_KeysWithLargeGrantsPastTheByteBudget_StaysUnderIt()
    {
        using var cache = new KeySnapshotCache(Options.Create(new ValidationOptions { MaxCacheBytes = Budget }), new KeyChangeFeed());
        var perKey = AccessSize.Of(LargeAccess(0));
        Assert.InRange(perKey, 10_000, Budget / 8);
        var fits = (int)(Budget / perKey);

        HashKey last = default;
        for (var i = 0; i < fits * 5; i++)
        {
            last = RandomHash();
            cache.SetKnown(last, Snapshot(LargeAccess(i)), _now);
            Assert.InRange(cache.EstimatedBytes, 1, Budget);
        }

        Assert.InRange(cache.KnownCount, 1, fits);
        Assert.Equal(CacheLookup.Fresh, cache.TryGet(last, _now, out _));
    }

    [Fact]
    public void SetKnown_ManyKeysSharingOneAccess_ChargeItOnce()
    {
        using var cache = new KeySnapshotCache(Options.Create(new ValidationOptions { MaxCacheBytes = Budget }), new KeyChangeFeed());
        var shared = LargeAccess(0);

        for (var i = 0; i < 100; i++)
        {
            cache.SetKnown(RandomHash(), Snapshot(shared), _now);
        }

        Assert.Equal(100, cache.KnownCount);
        Assert.Equal(AccessSize.Of(shared) + (100 * KeySnapshotCache.EntryBytes(Snapshot(shared))), cache.EstimatedBytes);
    }

    [Fact]
    public void Invalidate_AndClear_GiveTheBytesBack()
    {
        using var cache = new KeySnapshotCache(Options.Create(new ValidationOptions { MaxCacheBytes = Budget }), new KeyChangeFeed());
        var hash = new byte[32];
        hash[0] = 7;
        var snapshot = Snapshot(LargeAccess(1));
        cache.SetKnown(new HashKey(hash), snapshot, _now);
        cache.SetKnown(RandomHash(), Snapshot(LargeAccess(2)), _now);

        cache.Invalidate(new KeyChange(snapshot.KeyId, [hash]));
        var afterInvalidate = cache.EstimatedBytes;
        cache.Clear();

        Assert.Equal(AccessSize.Of(LargeAccess(2)) + KeySnapshotCache.EntryBytes(snapshot), afterInvalidate);
        Assert.Equal(0, cache.EstimatedBytes);
    }

    [Fact]
    public void SetKnown_EntryLargerThanHalfTheBudget_IsNotCached()
    {
        using var cache = new KeySnapshotCache(Options.Create(new ValidationOptions { MaxCacheBytes = Budget }), new KeyChangeFeed());
        var huge = new AccessCompiler().Compile([], [.. Enumerable.Range(0, 50).Select(g => Grant(g, 20, 400))], null, []);
        Assert.True(AccessSize.Of(huge) > Budget / 2);
        var hash = RandomHash();

        cache.SetKnown(hash, Snapshot(huge), _now);

        Assert.Equal(CacheLookup.Miss, cache.TryGet(hash, _now, out _));
        Assert.Equal(0, cache.EstimatedBytes);
    }

    [Fact]
    public void Compile_DistinctLargeAccessesPastTheBudget_SharedFormsStayUnderIt()
    {
        var compiler = new AccessCompiler(Budget);

        for (var i = 0; i < 200; i++)
        {
            compiler.Compile([], [Grant(i, Portal.Core.Access.Grant.MaxResources, 100)], null, []);
            Assert.InRange(compiler.EstimatedBytes, 1, Budget);
        }

        Assert.InRange(compiler.SharedCount, 1, 199);
        var again = compiler.Compile([], [Grant(199, Portal.Core.Access.Grant.MaxResources, 100)], null, []);
        Assert.Same(again, compiler.Compile([], [Grant(199, Portal.Core.Access.Grant.MaxResources, 100)], null, []));
    }

    /// <summary>About 10 KB of compiled access, distinct per <paramref name="seed"/>.</summary>
    private static CompiledAccess LargeAccess(int seed) =>
        new AccessCompiler(1L << 30).Compile([], [.. Enumerable.Range(0, 4).Select(g => Grant((seed * 4) + g, 10, 100))], null, []);

    private static Grant Grant(int index, int resources, int length) =>
        new($"g{index}:read", [.. Enumerable.Range(0, resources).Select(r => $"asset/{index}-{r}-".PadRight(length, 'x'))]);

    private static KeySnapshot Snapshot(CompiledAccess access) => new()
    {
        KeyId = Guid.NewGuid(),
        OrganizationId = Guid.Empty,
        OwnerId = Guid.Empty,
        Name = "large",
        Environment = KeyEnvironment.Test,
        Status = KeyStatus.Active,
        ExpiresAt = null,
        TokenRetiresAt = null,
        Access = access,
    };

    private static HashKey RandomHash() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
