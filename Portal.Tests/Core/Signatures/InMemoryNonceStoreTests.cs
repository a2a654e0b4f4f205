using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>The in-memory nonce store: once per key and nonce until expiry, bounded, fail-closed when full, one winner under contention.</summary>
public sealed class InMemoryNonceStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expiry = Now.AddSeconds(330);
    private readonly Guid _key = Guid.NewGuid();

    [Fact]
    public void TryUse_SameKeyAndNonceTwice_SecondIsARefusedReplay()
    {
        var store = new InMemoryNonceStore(100);

        Assert.True(store.TryUse(_key, "n-1", Expiry, Now));
        Assert.False(store.TryUse(_key, "n-1", Expiry, Now.AddSeconds(1)));
        Assert.False(store.TryUse(_key, "n-1", Expiry.AddSeconds(100), Expiry.AddTicks(-1)));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void TryUse_SameNonceForAnotherKeyOrAnotherNonce_IsNew()
    {
        var store = new InMemoryNonceStore(100);

        Assert.True(store.TryUse(_key, "n-1", Expiry, Now));
        Assert.True(store.TryUse(Guid.NewGuid(), "n-1", Expiry, Now));
        Assert.True(store.TryUse(_key, "n-2", Expiry, Now));
        Assert.True(store.TryUse(_key, "N-1", Expiry, Now));
    }

    [Fact]
    public void TryUse_AfterExpiry_TheNonceIsFreeAndTheEntryDropped()
    {
        var store = new InMemoryNonceStore(100);
        store.TryUse(_key, "n-1", Expiry, Now);

        // Entries go a generation at a time: at the latest one generation after their expiry.
        var later = Expiry + InMemoryNonceStore.GenerationSpan;

        Assert.True(store.TryUse(_key, "n-2", later.AddSeconds(330), later));
        Assert.Equal(1, store.Count);
        Assert.True(store.TryUse(_key, "n-1", later.AddSeconds(330), later));
    }

    [Fact]
    public void TryUse_ExpiryNotAfterNow_IsRefused()
    {
        var store = new InMemoryNonceStore(100);

        Assert.False(store.TryUse(_key, "n-1", Now, Now));
        Assert.False(store.TryUse(_key, "n-2", Now.AddSeconds(-1), Now));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void TryUse_FullOfUnexpiredNonces_RefusesNewOnesAndForgetsNoOldOne()
    {
        var store = new InMemoryNonceStore(3);
        Assert.True(store.TryUse(_key, "a", Expiry, Now));
        Assert.True(store.TryUse(_key, "b", Expiry, Now));
        Assert.True(store.TryUse(_key, "c", Expiry.AddSeconds(60), Now));

        Assert.False(store.TryUse(_key, "d", Expiry, Now.AddSeconds(1)));
        Assert.False(store.TryUse(_key, "a", Expiry, Now.AddSeconds(1)));
        Assert.Equal(1, store.FullRefusals);

        // Once "a" and "b" expire there is room again, while "c" is still remembered.
        var later = Expiry + InMemoryNonceStore.GenerationSpan;
        Assert.True(store.TryUse(_key, "d", later.AddSeconds(330), later));
        Assert.False(store.TryUse(_key, "c", later.AddSeconds(330), later));
    }

    [Fact]
    public void TryUse_Full_CountsTheRefusalsOnTheAuthenticationMeter()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var store = new InMemoryNonceStore(Options.Create(new SignatureOptions { NonceCapacity = 1_000 }), meters);
        long full = 0, replays = 0;
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
            if (instrument.Name == "portal.signatures.nonce_store_full")
            {
                Interlocked.Add(ref full, value);
            }
            else if (instrument.Name == "portal.signatures.nonce_replays")
            {
                Interlocked.Add(ref replays, value);
            }
        });
        listener.Start();

        for (var i = 0; i < 1_005; i++)
        {
            store.TryUse(_key, $"n-{i}", Expiry, Now);
        }

        store.TryUse(_key, "n-0", Expiry, Now);

        Assert.Equal(5, Interlocked.Read(ref full));
        Assert.Equal(1, Interlocked.Read(ref replays));
        Assert.Equal(1_000, store.Count);
    }

    [Fact]
    public void TryUse_ManyThreadsWithOneNonce_ExactlyOneSucceeds()
    {
        var store = new InMemoryNonceStore(InMemoryNonceStore.DefaultCapacity);
        const int nonces = 2_000;
        const int threadsPerNonce = 4;
        var successes = new int[nonces];

        Parallel.For(0, nonces * threadsPerNonce, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var nonce = i % nonces;
            if (store.TryUse(_key, $"nonce-{nonce}", Expiry, Now))
            {
                Interlocked.Increment(ref successes[nonce]);
            }
        });

        Assert.All(successes, s => Assert.Equal(1, s));
        Assert.Equal(nonces, store.Count);
    }

    [Fact]
    public void TryUse_ThousandsOfNonces_AreAllRememberedAsTheTablesGrow()
    {
        var store = new InMemoryNonceStore(20_000);
        var nonces = Enumerable.Range(0, 20_000).Select(i => $"n-{i}").ToArray();

        var first = nonces.Count(n => store.TryUse(_key, n, Expiry, Now));
        var again = nonces.Count(n => store.TryUse(_key, n, Expiry, Now.AddSeconds(1)));

        Assert.Equal(20_000, first);
        Assert.Equal(0, again);
        Assert.Equal(20_000, store.Count);
    }

    [Fact]
    public async Task AddPortalCore_NonceStore_IsOneInMemoryStoreOfTheConfiguredCapacity()
    {
        var folder = Directory.CreateTempSubdirectory("portal-nonces-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = Path.Combine(folder, "data"),
                ["Signatures:NonceCapacity"] = "5000",
            }).Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
            services.AddPortalCore(configuration, folder);
            await using var provider = services.BuildServiceProvider();

            var store = provider.GetRequiredService<INonceStore>();

            var inMemory = Assert.IsType<InMemoryNonceStore>(store);
            Assert.Equal(5000, inMemory.Capacity);
            Assert.Same(store, provider.GetRequiredService<INonceStore>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
