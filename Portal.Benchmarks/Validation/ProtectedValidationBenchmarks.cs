using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Benchmarks.Validation;

/// <summary>
/// What request protections add to a cached decision: the same valid key, once plain and once with
/// an IP allowlist of 100 networks (v4 and v6), a country allow list (looked up in the real country
/// database) and two rate limits, all through the validator with its shield. The budget is 250 ns and
/// no allocation over the plain decision.
/// Run: PORTAL_TEST_GEO_DATABASE=$(scripts/fetch-geo-database.sh) dotnet run -c Release --project Portal.Benchmarks -- --filter '*ProtectedValidationBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ProtectedValidationBenchmarks
{
    private static readonly Guid Organization = Guid.CreateVersion7();

    private ValidationFixture _plain = null!;
    private ValidationFixture _guarded = null!;
    private KeyValidator _shielded = null!;
    private string _plainToken = null!;
    private string _guardedToken = null!;
    private RequestContext _request;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new ValidationFixture();
        _guarded = new ValidationFixture();
        _plainToken = ApiKeyToken.Generate("pk_live");
        _guardedToken = ApiKeyToken.Generate("pk_live");
        _plain.Source.Keys[_plain.HashOf(_plainToken)] = Owned(_plain.Snapshot("plain", ["orders:read"]), CompiledProtections.None);

        var errors = new Dictionary<string, string[]>();
        var networks = Enumerable.Range(0, 49).Select(i => $"10.{i}.0.0/16").Append("193.99.144.0/24").Concat(Enumerable.Range(0, 50).Select(i => $"2001:db8:{i:x}::/48")).ToList();
        var protections = new RequestProtections(
            IpAllowlist: networks,
            Countries: new CountryRules(Allow: ["DE", "FR", "NL"]),
            RateLimits: [new RateLimitRule("burst", 1_000_000_000, 1), new RateLimitRule("daily", 1_000_000_000_000, 86_400)]);
        var compiled = ProtectionRules.Compile(ProtectionRules.Check(protections, quotaAllowed: true, errors));
        Require(errors.Count == 0);
        _guarded.Source.Keys[_guarded.HashOf(_guardedToken)] = Owned(_guarded.Snapshot("guarded", ["orders:read"]), compiled);

        var path = Environment.GetEnvironmentVariable("PORTAL_TEST_GEO_DATABASE");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException("Set PORTAL_TEST_GEO_DATABASE to the file scripts/fetch-geo-database.sh prints.");
        }

        var countries = new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);
        var shields = new OrganizationShieldCache(new NoPolicy(), Options.Create(new ValidationOptions { CacheFreshFor = TimeSpan.FromHours(1) }), TimeProvider.System);
        var shield = new RequestShield(shields, new ThreatMonitor(new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), new InMemoryRateLimitStore(TimeProvider.System), countries);
        _shielded = new KeyValidator(_guarded.Hasher, _guarded.Source, _guarded.Cache, TimeProvider.System, shield);
        _request = new RequestContext("orders:read", "193.99.144.80", Address: ClientAddress.Parse("193.99.144.80"), OrganizationId: Organization);

        Require(_plain.Validator.ValidateAsync(_plainToken, _request).AsTask().Result.Code == ReasonCodes.Valid);
        Require(_shielded.ValidateAsync(_guardedToken, _request).AsTask().Result.Code == ReasonCodes.Valid);
    }

    [Benchmark(Baseline = true, Description = "Validate: cached valid key, no protections")]
    public string Plain() => _plain.Validator.ValidateAsync(_plainToken, _request).GetAwaiter().GetResult().Code;

    [Benchmark(Description = "Validate: cached valid key, 100 CIDRs + country + 2 rate limits")]
    public string Protected() => _shielded.ValidateAsync(_guardedToken, _request).GetAwaiter().GetResult().Code;

    private static KeySnapshot Owned(KeySnapshot snapshot, CompiledProtections protections) => new()
    {
        KeyId = snapshot.KeyId,
        OrganizationId = Organization,
        OwnerId = snapshot.OwnerId,
        Name = snapshot.Name,
        Environment = snapshot.Environment,
        Status = snapshot.Status,
        ExpiresAt = snapshot.ExpiresAt,
        TokenRetiresAt = null,
        Access = snapshot.Access,
        Protections = protections,
    };

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's setup did not decide as expected.");
        }
    }

    private sealed class NoPolicy : IOrganizationShieldSource
    {
        public Task<OrganizationShield> LoadAsync(Guid organizationId, CancellationToken cancellationToken) => Task.FromResult(OrganizationShield.None(organizationId));
    }
}
