using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Benchmarks.Protections;

/// <summary>
/// What the threat monitor adds to every decision: the block check at each door (a miss, the common
/// case, with and without stored blocks of the organization) and the leaked-key count of a valid key
/// used again from the same address. Both must allocate nothing.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*ThreatMonitorBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ThreatMonitorBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly Guid _organization = Guid.NewGuid();
    private readonly Guid _withManualBlocks = Guid.NewGuid();
    private readonly ClientAddress _address = ClientAddress.Parse("203.0.113.7");
    private readonly ClientAddress _v6 = ClientAddress.Parse("2001:db8:42::7");
    private ThreatMonitor _monitor = null!;
    private KeySnapshot _key = null!;
    private CountryCode _country;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _monitor = new ThreatMonitor(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        // Some automatic blocks of other addresses, and ten manual networks of another organization.
        var policy = new ThreatPolicy(FailureLimit: 1);
        for (uint i = 0; i < 1000; i++)
        {
            _monitor.ObserveRefusal(_organization, ClientAddress.From(new System.Net.IPAddress(0x0A000000u + i)), ReasonCodes.NotFound, default, policy, Now);
        }

        _monitor.LoadStoredBlocks(Enumerable.Range(0, 10).Select(i => new StoredBlock(_withManualBlocks, $"198.51.{i}.0/24", null)));
        _key = new KeySnapshot
        {
            KeyId = Guid.NewGuid(),
            OrganizationId = _organization,
            OwnerId = Guid.NewGuid(),
            Name = "orders service",
            Environment = KeyEnvironment.Live,
            Status = KeyStatus.Active,
            ExpiresAt = null,
            TokenRetiresAt = null,
            Access = new AccessCompiler().Compile([], [], null, []),
        };
        CountryCode.TryFrom("DE", out _country);
        _monitor.ObserveUse(_key, _address, _country, false, ThreatPolicy.Default, Now);
    }

    [Benchmark(Description = "IsBlocked: miss (IPv4)")]
    public bool IsBlockedMiss() => _monitor.IsBlocked(_organization, _address, Now);

    [Benchmark(Description = "IsBlocked: miss among 10 manual networks (IPv6)")]
    public bool IsBlockedMissWithNetworks() => _monitor.IsBlocked(_withManualBlocks, _v6, Now);

    [Benchmark(Description = "ObserveUse: same key, same address again")]
    public void ObserveUseRepeat() => _monitor.ObserveUse(_key, _address, _country, false, ThreatPolicy.Default, Now);
}
