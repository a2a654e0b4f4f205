using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>
/// The in-memory nonce store: once per key and nonce until expiry, bounded as a whole and per key,
/// fail-closed when full (saying which bound), one winner under contention.
/// </summary>
public sealed class InMemoryNonceStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expiry = Now.AddSeconds(330);
    private readonly Guid _key = Guid.NewGuid();

    [Fact]
    public void TryUse_SameKeyAndNonceTwice_SecondIsARefusedReplay()
    {
        var store = new InMemoryNonceStore(100);

        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "n-1", Expiry, Now));
        Assert.Equal(NonceUse.Replayed, store.TryUse(_key, "n-1", Expiry, Now.AddSeconds(1)));
        Assert.Equal(NonceUse.Replayed, store.TryUse(_key, "n-1", Expiry.AddSeconds(100), Expiry.AddTicks(-1)));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void TryUse_SameNonceForAnotherKeyOrAnotherNonce_IsNew()
    {
        var store = new InMemoryNonceStore(100);

        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "n-1", Expiry, Now));
        Assert.Equal(NonceUse.Accepted, store.TryUse(Guid.NewGuid(), "n-1", Expiry, Now));
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "n-2", Expiry, Now));
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "N-1", Expiry, Now));
    }

    [Fact]
    public void TryUse_AfterExpiry_TheNonceIsFreeAndTheEntryDropped()
    {
        var store = new InMemoryNonceStore(100);
        store.TryUse(_key, "n-1", Expiry, Now);

        // Entries go a generation at a time: at the latest one generation after their expiry.
        var later = Expiry + InMemoryNonceStore.GenerationSpan;

        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "n-2", later.AddSeconds(330), later));
        Assert.Equal(1, store.Count);
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "n-1", later.AddSeconds(330), later));
    }

    [Fact]
    public void TryUse_ExpiryNotAfterNow_IsRefusedAsExpired()
    {
        var store = new InMemoryNonceStore(100);

        Assert.Equal(NonceUse.Expired, store.TryUse(_key, "n-1", Now, Now));
        Assert.Equal(NonceUse.Expired, store.TryUse(_key, "n-2", Now.AddSeconds(-1), Now));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void TryUse_FullOfUnexpiredNonces_RefusesNewOnesAndForgetsNoOldOne()
    {
        var store = new InMemoryNonceStore(3, capacityPerKey: 3);
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "a", Expiry, Now));
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "b", Expiry, Now));
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "c", Expiry.AddSeconds(60), Now));

        // Full as a whole and for the key: the key that filled its share is told so; a replay stays a replay.
        Assert.Equal(NonceUse.KeyShareFull, store.TryUse(_key, "d", Expiry, Now.AddSeconds(1)));
        Assert.Equal(NonceUse.Replayed, store.TryUse(_key, "a", Expiry, Now.AddSeconds(1)));
        Assert.Equal(NonceUse.StoreFull, store.TryUse(Guid.NewGuid(), "d", Expiry, Now.AddSeconds(1)));
        Assert.Equal(1, store.FullRefusals);
        Assert.Equal(1, store.KeyShareRefusals);

        // Once "a" and "b" expire there is room again, while "c" is still remembered.
        var later = Expiry + InMemoryNonceStore.GenerationSpan;
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "d", later.AddSeconds(330), later));
        Assert.Equal(NonceUse.Replayed, store.TryUse(_key, "c", later.AddSeconds(330), later));
    }

    [Fact]
    public void TryUse_KeyHoldingItsShare_IsRefusedWhileAnotherKeyIsAccepted()
    {
        var store = new InMemoryNonceStore(1_000, capacityPerKey: 100);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(NonceUse.Accepted, store.TryUse(_key, $"n-{i}", Expiry, Now));
        }

        Assert.Equal(NonceUse.KeyShareFull, store.TryUse(_key, "n-100", Expiry, Now));
        Assert.Equal(NonceUse.Replayed, store.TryUse(_key, "n-7", Expiry, Now));
        Assert.Equal(NonceUse.Accepted, store.TryUse(Guid.NewGuid(), "n-100", Expiry, Now));
        Assert.Equal(101, store.Count);
        Assert.Equal(1, store.KeyShareRefusals);
        Assert.Equal(0, store.FullRefusals);
    }

    [Fact]
    public void TryUse_ShareOverManyShards_IsExactForTheKey()
    {
        // 100,000 entries are split over shards; the key's share is counted across all of them.
        var store = new InMemoryNonceStore(100_000, capacityPerKey: 1_000);

        var uses = Enumerable.Range(0, 1_200).Select(i => store.TryUse(_key, $"n-{i}", Expiry, Now)).ToList();

        Assert.Equal(1_000, uses.Count(u => u == NonceUse.Accepted));
        Assert.Equal(200, uses.Count(u => u == NonceUse.KeyShareFull));
        Assert.Equal(NonceUse.Accepted, store.TryUse(Guid.NewGuid(), "n-0", Expiry, Now));
    }

    [Fact]
    public void TryUse_KeyShare_FreesWithTheGenerationThatExpires()
    {
        var store = new InMemoryNonceStore(1_000, capacityPerKey: 100);
        // Half the share in the generation ending at Expiry, half in one ending two generations later.
        for (var i = 0; i < 50; i++)
        {
            store.TryUse(_key, $"early-{i}", Expiry, Now);
            store.TryUse(_key, $"late-{i}", Expiry.AddSeconds(60), Now);
        }

        Assert.Equal(NonceUse.KeyShareFull, store.TryUse(_key, "new-0", Expiry, Expiry.AddTicks(-1)));

        // At Expiry the first generation goes, and with it half the share: exactly 50 more fit.
        var later = Expiry;
        var uses = Enumerable.Range(0, 51).Select(i => store.TryUse(_key, $"new-{i}", later.AddSeconds(330), later)).ToList();

        Assert.Equal(50, uses.Count(u => u == NonceUse.Accepted));
        Assert.Equal(NonceUse.KeyShareFull, uses[^1]);
        Assert.Equal(NonceUse.Replayed, store.TryUse(_key, "late-3", later.AddSeconds(330), later));
    }

    [Fact]
    public void TryUse_StoreFullOfManyKeysNonces_FailsClosedForEveryKey()
    {
        var store = new InMemoryNonceStore(1_000, capacityPerKey: 100);
        var keys = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var key in keys)
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(NonceUse.Accepted, store.TryUse(key, $"n-{i}", Expiry, Now));
            }
        }

        Assert.Equal(NonceUse.StoreFull, store.TryUse(_key, "n-0", Expiry, Now));
        Assert.Equal(NonceUse.KeyShareFull, store.TryUse(keys[0], "n-100", Expiry, Now));
        Assert.Equal(NonceUse.Replayed, store.TryUse(keys[0], "n-0", Expiry, Now));
        Assert.Equal(1_000, store.Count);
        Assert.Equal(1, store.FullRefusals);

        var later = Expiry + InMemoryNonceStore.GenerationSpan;
        Assert.Equal(NonceUse.Accepted, store.TryUse(_key, "n-0", later.AddSeconds(330), later));
    }

    [Fact]
    public void TryUse_Full_CountsTheRefusalsOnTheAuthenticationMeter()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var store = new InMemoryNonceStore(Options.Create(new SignatureOptions { NonceCapacity = 1_000, NonceCapacityPerKey = 600 }), meters);
        var counted = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AuthenticationLog.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (counted)
            {
                counted[instrument.Name] = counted.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();

        var other = Guid.NewGuid();
        for (var i = 0; i < 605; i++)
        {
            store.TryUse(_key, $"n-{i}", Expiry, Now);
        }

        for (var i = 0; i < 405; i++)
        {
            store.TryUse(other, $"n-{i}", Expiry, Now);
        }

        store.TryUse(_key, "n-0", Expiry, Now);

        Assert.Equal(5, counted.GetValueOrDefault("portal.signatures.nonce_key_share_full"));
        Assert.Equal(5, counted.GetValueOrDefault("portal.signatures.nonce_store_full"));
        Assert.Equal(1, counted.GetValueOrDefault("portal.signatures.nonce_replays"));
        Assert.Equal(1_000, store.Count);
    }

    [Fact]
    public void TryUse_ManyThreadsWithOneKeyAndNonce_ExactlyOneIsAccepted()
    {
        var store = new InMemoryNonceStore(InMemoryNonceStore.DefaultCapacity);
        const int nonces = 2_000;
        const int threadsPerNonce = 4;
        var accepted = new int[nonces];
        var replayed = new int[nonces];

        Parallel.For(0, nonces * threadsPerNonce, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var nonce = i % nonces;
            var use = store.TryUse(_key, $"nonce-{nonce}", Expiry, Now);
            Interlocked.Increment(ref use == NonceUse.Accepted ? ref accepted[nonce] : ref replayed[nonce]);
        });

        Assert.All(accepted, a => Assert.Equal(1, a));
        Assert.All(replayed, r => Assert.Equal(threadsPerNonce - 1, r));
        Assert.Equal(nonces, store.Count);
    }

    [Fact]
    public void TryUse_ManyThreadsOfOneKey_TakeExactlyItsShare()
    {
        var store = new InMemoryNonceStore(100_000, capacityPerKey: 1_000);
        var uses = new NonceUse[4_000];

        Parallel.For(0, uses.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            uses[i] = store.TryUse(_key, $"n-{i % 2_000}", Expiry, Now));

        Assert.Equal(1_000, uses.Count(u => u == NonceUse.Accepted));
        Assert.Equal(1_000, store.Count);
        // Each nonce was sent twice: a nonce accepted once is a replay the other time, never taken twice.
        Assert.All(Enumerable.Range(0, 2_000), n => Assert.True(
            (uses[n] == NonceUse.Accepted ? 1 : 0) + (uses[n + 2_000] == NonceUse.Accepted ? 1 : 0) <= 1));
    }

    [Fact]
    public void TryUse_ThousandsOfNonces_AreAllRememberedAsTheTablesGrow()
    {
        var store = new InMemoryNonceStore(20_000, capacityPerKey: 20_000);
        var nonces = Enumerable.Range(0, 20_000).Select(i => $"n-{i}").ToArray();

        var first = nonces.Count(n => store.TryUse(_key, n, Expiry, Now) == NonceUse.Accepted);
        var again = nonces.Count(n => store.TryUse(_key, n, Expiry, Now.AddSeconds(1)) == NonceUse.Replayed);

        Assert.Equal(20_000, first);
        Assert.Equal(20_000, again);
        Assert.Equal(20_000, store.Count);
    }

    [Fact]
    public void SweepIdleKeys_ForgetsOnlyKeysHoldingNothing_AndTheirShareStartsAfresh()
    {
        var store = new InMemoryNonceStore(1_000, capacityPerKey: 100);
        var idle = Guid.NewGuid();
        store.TryUse(idle, "n-0", Expiry, Now);
        for (var i = 0; i < 100; i++)
        {
            store.TryUse(_key, $"n-{i}", Expiry.AddSeconds(120), Now);
        }

        var later = Expiry + InMemoryNonceStore.GenerationSpan;
        store.SweepIdleKeys(Now.UtcTicks);
        Assert.Equal(2, store.KeysTracked);

        store.SweepIdleKeys(later.UtcTicks);

        Assert.Equal(1, store.KeysTracked);
        Assert.Equal(NonceUse.KeyShareFull, store.TryUse(_key, "n-100", later.AddSeconds(330), later));
        Assert.Equal(NonceUse.Accepted, store.TryUse(idle, "n-1", later.AddSeconds(330), later));
        Assert.Equal(2, store.KeysTracked);
    }

    [Fact]
    public void Constructor_ShareOutsideOneToCapacity_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryNonceStore(1_000, capacityPerKey: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryNonceStore(1_000, capacityPerKey: 1_001));
        Assert.Equal(100, new InMemoryNonceStore(1_000).CapacityPerKey);
    }

    [Theory]
    [InlineData(null, 500)]
    [InlineData("2000", 2_000)]
    public async Task AddPortalCore_NonceStore_IsOneInMemoryStoreOfTheConfiguredCapacityAndShare(string? perKey, int expectedPerKey)
    {
        var folder = Directory.CreateTempSubdirectory("portal-nonces-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = Path.Combine(folder, "data"),
                ["Signatures:NonceCapacity"] = "5000",
                ["Signatures:NonceCapacityPerKey"] = perKey,
            }).Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
            services.AddPortalCore(configuration, folder);
            await using var provider = services.BuildServiceProvider();

            var store = provider.GetRequiredService<INonceStore>();

            var inMemory = Assert.IsType<InMemoryNonceStore>(store);
            Assert.Equal(5000, inMemory.Capacity);
            Assert.Equal(expectedPerKey, inMemory.CapacityPerKey);
            Assert.Same(store, provider.GetRequiredService<INonceStore>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
