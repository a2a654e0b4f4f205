using BenchmarkDotNet.Attributes;
using Portal.Core.Protections;

namespace Portal.Benchmarks.Protections;

/// <summary>
/// The IP and country checks of a request: <see cref="NetworkList.Contains"/> on a full list of
/// 100 networks (50 IPv4, 50 IPv6) for an address inside and one outside, each family, and
/// <see cref="CountryList.Allows"/>. Both must allocate nothing.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*ProtectionListBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ProtectionListBenchmarks
{
    private NetworkList _networks = null!;
    private CountryList _countries = null!;
    private ClientAddress _v4Hit;
    private ClientAddress _v4Miss;
    private ClientAddress _v6Hit;
    private ClientAddress _v6Miss;
    private CountryCode _allowed;
    private CountryCode _denied;

    [GlobalSetup]
    public void Setup()
    {
        // Interleaved as an admin might paste them: a /24 in each of 50 /8s, a /48 in each of 50 /32s.
        var entries = new List<string?>();
        for (var i = 0; i < NetworkList.MaxEntries / 2; i++)
        {
            entries.Add($"{i + 1}.{i * 3 % 256}.{i * 7 % 256}.0/24");
            entries.Add($"2001:db8:{i:x}::/48");
        }

        var errors = new Dictionary<string, string[]>();
        _networks = NetworkList.Parse(entries, "ipAllowlist", errors);
        _countries = CountryList.Parse(new CountryRules(Allow: ["AT", "CH", "DE", "FR", "IT", "NL"], Deny: ["RU"]), "countries", errors);
        Require(errors.Count == 0 && _networks.Entries.Count == NetworkList.MaxEntries);

        _v4Hit = ClientAddress.Parse("38.111.3.77"); // in 38.111.3.0/24, the 38th IPv4 entry
        _v4Miss = ClientAddress.Parse("38.111.4.77");
        _v6Hit = ClientAddress.Parse("2001:db8:25:ffff::1"); // in 2001:db8:25::/48
        _v6Miss = ClientAddress.Parse("2001:db8:ff::1");
        Require(_networks.Contains(_v4Hit) && !_networks.Contains(_v4Miss) && _networks.Contains(_v6Hit) && !_networks.Contains(_v6Miss));

        CountryCode.TryFrom("DE", out _allowed);
        CountryCode.TryFrom("US", out _denied);
        Require(_countries.Allows(_allowed) && !_countries.Allows(_denied));
    }

    [Benchmark(Description = "NetworkList.Contains: IPv4 inside")]
    public bool V4Hit() => _networks.Contains(_v4Hit);

    [Benchmark(Description = "NetworkList.Contains: IPv4 outside")]
    public bool V4Miss() => _networks.Contains(_v4Miss);

    [Benchmark(Description = "NetworkList.Contains: IPv6 inside")]
    public bool V6Hit() => _networks.Contains(_v6Hit);

    [Benchmark(Description = "NetworkList.Contains: IPv6 outside")]
    public bool V6Miss() => _networks.Contains(_v6Miss);

    [Benchmark(Description = "CountryList.Allows: allowed")]
    public bool CountryAllowed() => _countries.Allows(_allowed);

    [Benchmark(Description = "CountryList.Allows: not in the allow list")]
    public bool CountryRefused() => _countries.Allows(_denied);

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's setup does not answer as expected.");
        }
    }
}
