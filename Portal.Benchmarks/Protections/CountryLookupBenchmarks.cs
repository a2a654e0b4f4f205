using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Protections;

namespace Portal.Benchmarks.Protections;

/// <summary>
/// One country lookup on the real ip-location-db database (about a million networks): IPv4 and
/// IPv6 addresses drawn at random over the address space, 1,024 of each in turn, so the binary
/// search does not run on cached lines alone. The database comes from
/// <c>PORTAL_TEST_GEO_DATABASE</c> (scripts/fetch-geo-database.sh prints the path).
/// Run: PORTAL_TEST_GEO_DATABASE=$(scripts/fetch-geo-database.sh) dotnet run -c Release --project Portal.Benchmarks -- --filter '*CountryLookupBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CountryLookupBenchmarks
{
    private const int Count = 1024;

    private CountryDatabase _database = null!;
    private ClientAddress[] _v4 = null!;
    private ClientAddress[] _v6 = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("PORTAL_TEST_GEO_DATABASE");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException("Set PORTAL_TEST_GEO_DATABASE to the file scripts/fetch-geo-database.sh prints.");
        }

        _database = new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);
        var random = new Random(13);
        _v4 = Enumerable.Range(0, Count).Select(_ => ClientAddress.Parse(new System.Net.IPAddress(random.NextInt64(1L << 32)).ToString())).ToArray();
        // Within 2000::/4, where the allocated IPv6 space is.
        _v6 = Enumerable.Range(0, Count).Select(_ =>
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            bytes[0] = (byte)(0x20 | (bytes[0] & 0x0F));
            return ClientAddress.Parse(new System.Net.IPAddress(bytes).ToString());
        }).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _database.Dispose();

    [Benchmark]
    public CountryCode FindV4() => _database.Find(_v4[_next++ & (Count - 1)]);

    [Benchmark]
    public CountryCode FindV6() => _database.Find(_v6[_next++ & (Count - 1)]);
}
