using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Tests.Core.Protections;

public sealed class ThreatMonitorTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Org = Guid.NewGuid();
    private static readonly ClientAddress Attacker = ClientAddress.Parse("203.0.113.7");
    private static readonly ClientAddress Neighbour = ClientAddress.Parse("203.0.113.8");
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ThreatMonitor _monitor;

    public ThreatMonitorTests() => _monitor = new ThreatMonitor(_services.GetRequiredService<IMeterFactory>());

    public void Dispose() => _services.Dispose();

    [Fact]
    public void FailureBurst_AtTheLimit_BlocksThatAddressOnly_ForBlockSeconds()
    {
        var policy = new ThreatPolicy(FailureLimit: 5, BlockSeconds: 300);
        for (var i = 0; i < 4; i++)
        {
            _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.Expired, default, policy, Start);
        }

        Assert.False(_monitor.IsBlocked(Org, Attacker, Start));
        _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.Revoked, default, policy, Start.AddSeconds(1));

        Assert.True(_monitor.IsBlocked(Org, Attacker, Start.AddSeconds(1)));
        Assert.False(_monitor.IsBlocked(Org, Neighbour, Start.AddSeconds(1)));
        Assert.False(_monitor.IsBlocked(Guid.NewGuid(), Attacker, Start.AddSeconds(1)));
        Assert.True(_monitor.IsBlocked(Org, Attacker, Start.AddSeconds(300)));
        Assert.False(_monitor.IsBlocked(Org, Attacker, Start.AddSeconds(301)));
        var blocked = Assert.IsType<AddressBlockedEvent>(Assert.Single(Drain()));
        Assert.Equal((BlockReason.FailureBurst, 1, "5 refusals (EXPIRED ×4, REVOKED ×1) in 60 s"), (blocked.Reason, blocked.Strike, blocked.Cause));
    }

    [Fact]
    public void FailuresSpreadOverWindows_DoNotBlock()
    {
        var policy = new ThreatPolicy(FailureLimit: 5, WindowSeconds: 60);
        for (var i = 0; i < 20; i++)
        {
            // Four per window, never five within one.
            _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.Expired, default, policy, Start.AddSeconds(i * 15 + (i / 4 * 60)));
        }

        Assert.Empty(Drain());
    }

    [Fact]
    public void CredentialStuffing_DistinctUnknownTokens_Block_RepeatedTokensDoNot()
    {
        var policy = new ThreatPolicy(FailureLimit: 1000, StuffingLimit: 20);
        var same = RandomHash();
        for (var i = 0; i < 100; i++)
        {
            _monitor.ObserveRefusal(Org, Neighbour, ReasonCodes.NotFound, same, policy, Start);
        }

        for (var i = 0; i < 19; i++)
        {
            _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.NotFound, RandomHash(), policy, Start);
        }

        Assert.False(_monitor.IsBlocked(Org, Attacker, Start));
        _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.Malformed, RandomHash(), policy, Start);

        Assert.True(_monitor.IsBlocked(Org, Attacker, Start));
        Assert.False(_monitor.IsBlocked(Org, Neighbour, Start));
        var blocked = Assert.IsType<AddressBlockedEvent>(Assert.Single(Drain()));
        Assert.Equal(BlockReason.CredentialStuffing, blocked.Reason);
        Assert.StartsWith("20 distinct unknown or malformed tokens", blocked.Cause);
    }

    [Fact]
    public void RepeatWithinADay_DoublesTheBlock_UpToADay_AndAfterADayStartsAgain()
    {
        var policy = new ThreatPolicy(FailureLimit: 1, BlockSeconds: 3600);
        var now = Start;
        var lengths = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.NotFound, default, policy, now);
            var blocked = Assert.IsType<AddressBlockedEvent>(Assert.Single(Drain()));
            lengths.Add((blocked.Until - blocked.At).TotalHours);
            now = blocked.Until.AddSeconds(1);
            if (i == 5)
            {
                now = now.AddDays(1);
            }
        }

        Assert.Equal([1, 2, 4, 8, 16, 24, 1], lengths);
    }

    [Fact]
    public void IPv6_And_MappedIPv4_AreTheSameAddressAsTheirIPv4()
    {
        var policy = new ThreatPolicy(FailureLimit: 2);
        _monitor.ObserveRefusal(Org, ClientAddress.Parse("::ffff:203.0.113.7"), ReasonCodes.NotFound, default, policy, Start);
        _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.NotFound, default, policy, Start);
        var v6 = ClientAddress.Parse("2001:db8::7");
        _monitor.ObserveRefusal(Org, v6, ReasonCodes.NotFound, default, policy, Start);

        Assert.True(_monitor.IsBlocked(Org, Attacker, Start));
        Assert.False(_monitor.IsBlocked(Org, v6, Start));
        Assert.False(_monitor.IsBlocked(Org, ClientAddress.None, Start));
    }

    [Fact]
    public void StoredBlocks_CoverTheirNetworks_UntilTheirEnd()
    {
        _monitor.LoadStoredBlocks(
        [
            new StoredBlock(Org, "198.51.100.0/24", Start.AddMinutes(10)),
            new StoredBlock(Org, "2001:db8:1::/48", null),
        ]);

        Assert.True(_monitor.IsBlocked(Org, ClientAddress.Parse("198.51.100.200"), Start));
        Assert.True(_monitor.IsBlocked(Org, ClientAddress.Parse("::ffff:198.51.100.1"), Start));
        Assert.False(_monitor.IsBlocked(Org, ClientAddress.Parse("198.51.101.1"), Start));
        Assert.False(_monitor.IsBlocked(Org, ClientAddress.Parse("198.51.100.200"), Start.AddMinutes(10)));
        Assert.True(_monitor.IsBlocked(Org, ClientAddress.Parse("2001:db8:1:ffff::1"), Start.AddYears(5)));
        Assert.False(_monitor.IsBlocked(Org, ClientAddress.Parse("2001:db8:2::1"), Start));
        Assert.False(_monitor.IsBlocked(Guid.NewGuid(), ClientAddress.Parse("198.51.100.200"), Start));

        _monitor.LoadStoredBlocks([]);
        Assert.False(_monitor.IsBlocked(Org, ClientAddress.Parse("2001:db8:1::1"), Start));
    }

    [Fact]
    public void Unblock_EndsTheBlock_ButTheNextOneStillDoubles()
    {
        var policy = new ThreatPolicy(FailureLimit: 1, BlockSeconds: 60);
        _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.NotFound, default, policy, Start);
        _monitor.Unblock(Org, Attacker);

        Assert.False(_monitor.IsBlocked(Org, Attacker, Start));
        _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.NotFound, default, policy, Start.AddSeconds(1));
        Assert.Equal([1, 2], Drain().Cast<AddressBlockedEvent>().Select(e => e.Strike));
    }

    [Fact]
    public void FloodOfRandomAddresses_StaysWithinTheBounds_AndStillBlocksTheBurstingAddress()
    {
        var policy = new ThreatPolicy(FailureLimit: 50, StuffingLimit: 20);
        var random = new Random(7);
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 300_000; i++)
        {
            random.NextBytes(bytes);
            _monitor.ObserveRefusal(Org, ClientAddress.From(new System.Net.IPAddress(bytes)), ReasonCodes.Malformed, default, policy, Start);
            if (i % 1000 == 0)
            {
                _monitor.ObserveRefusal(Org, Attacker, ReasonCodes.NotFound, default, policy, Start);
            }
        }

        Assert.True(_monitor.TrackedAddresses <= ThreatMonitor.MaxTrackedAddresses);
        Assert.True(_monitor.IsBlocked(Org, Attacker, Start));
    }

    [Fact]
    public void FloodOfBlocks_StaysWithinTheBound()
    {
        var policy = new ThreatPolicy(FailureLimit: 1);
        for (uint i = 0; i < ThreatMonitor.MaxBlocks + 500; i++)
        {
            _monitor.ObserveRefusal(Org, ClientAddress.From(new System.Net.IPAddress(i + 0x0A000000u)), ReasonCodes.NotFound, default, policy, Start);
        }

        Assert.True(_monitor.AutomaticBlocks <= ThreatMonitor.MaxBlocks);
        // The queue kept what fits and counted the rest.
        Assert.Equal(ThreatMonitor.MaxBlocks + 500 - ThreatMonitor.EventCapacity, _monitor.DroppedEvents);
    }

    [Fact]
    public void LeakedKey_ManyAddresses_RaisesOneAlertPerWindow()
    {
        var key = Snapshot();
        var policy = new ThreatPolicy(LeakAddressLimit: 10, LeakWindowSeconds: 3600);
        for (var round = 0; round < 3; round++)
        {
            for (uint i = 0; i < 30; i++)
            {
                _monitor.ObserveUse(key, ClientAddress.From(new System.Net.IPAddress(0x01020300u + i)), CountryCode.None, false, policy, Start.AddMinutes(round));
            }
        }

        var alert = Assert.IsType<KeySuspiciousEvent>(Assert.Single(Drain()));
        Assert.Equal((key.KeyId, 10, "used from 10 addresses within 3600 s"), (alert.KeyId, alert.Addresses, alert.Cause));

        // The next window raises again.
        for (uint i = 0; i < 10; i++)
        {
            _monitor.ObserveUse(key, ClientAddress.From(new System.Net.IPAddress(0x01020300u + i)), CountryCode.None, false, policy, Start.AddHours(1).AddMinutes(1));
        }

        Assert.Single(Drain());
    }

    [Fact]
    public void LeakedKey_ManyCountries_Or_ADeniedCountry_Alerts_WithSuspendFromThePolicy()
    {
        var key = Snapshot();
        var policy = new ThreatPolicy(LeakCountryLimit: 3, SuspendSuspiciousKeys: true);
        foreach (var country in new[] { "DE", "DE", "FR", "FR" })
        {
            _monitor.ObserveUse(key, Attacker, Country(country), false, policy, Start);
        }

        Assert.Empty(Drain());
        _monitor.ObserveUse(key, Attacker, Country("BR"), false, policy, Start);
        var alert = Assert.IsType<KeySuspiciousEvent>(Assert.Single(Drain()));
        Assert.Equal(["BR", "DE", "FR"], alert.Countries);
        Assert.True(alert.Suspend);

        var other = Snapshot();
        _monitor.ObserveUse(other, Attacker, Country("KP"), true, ThreatPolicy.Default, Start);
        var denied = Assert.IsType<KeySuspiciousEvent>(Assert.Single(Drain()));
        Assert.Equal(("used from KP, a country the organization denies", false), (denied.Cause, denied.Suspend));
    }

    [Fact]
    public void SameKeySameAddress_IsCountedOnce()
    {
        var key = Snapshot();
        var policy = new ThreatPolicy(LeakAddressLimit: 2);
        for (var i = 0; i < 1000; i++)
        {
            _monitor.ObserveUse(key, Attacker, CountryCode.None, false, policy, Start.AddSeconds(i));
        }

        Assert.Empty(Drain());
        _monitor.ObserveUse(key, Neighbour, CountryCode.None, false, policy, Start.AddSeconds(1001));
        Assert.Single(Drain());
    }

    [Fact]
    public void ObserveUse_Repeat_AllocatesNothing()
    {
        var key = Snapshot();
        _monitor.ObserveUse(key, Attacker, Country("DE"), false, ThreatPolicy.Default, Start);
        _monitor.ObserveUse(key, Attacker, Country("DE"), false, ThreatPolicy.Default, Start);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _monitor.ObserveUse(key, Attacker, Country("DE"), false, ThreatPolicy.Default, Start);
            _monitor.IsBlocked(Org, Attacker, Start);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private List<ThreatEvent> Drain()
    {
        var events = new List<ThreatEvent>();
        while (_monitor.Events.TryRead(out var threat))
        {
            events.Add(threat);
        }

        return events;
    }

    private static CountryCode Country(string code) => CountryCode.TryFrom(code, out var country) ? country : throw new ArgumentException(code);

    private static HashKey RandomHash() => new(RandomNumberGenerator.GetBytes(32));

    private static KeySnapshot Snapshot() => new()
    {
        KeyId = Guid.NewGuid(),
        OrganizationId = Org,
        OwnerId = Guid.NewGuid(),
        Name = "leaky",
        Environment = KeyEnvironment.Live,
        Status = KeyStatus.Active,
        ExpiresAt = null,
        TokenRetiresAt = null,
        Access = new AccessCompiler().Compile([], [], null, []),
    };
}
