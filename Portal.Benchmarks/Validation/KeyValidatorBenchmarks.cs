using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Portal.Core.Keys;
using Portal.Core.Validation;

namespace Portal.Benchmarks.Validation;

/// <summary>
/// The validator's in-process cost against its floor, a bare HMAC-SHA256 of the same token.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*KeyValidatorBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class KeyValidatorBenchmarks
{
    private static readonly RequestContext WithScope = new("orders:read");

    private ValidationFixture _fixture = null!;
    private string _valid = null!;
    private string _malformed = null!;
    private string _unknown = null!;
    private byte[] _destination = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new ValidationFixture();
        _valid = ApiKeyToken.Generate("pk_live");
        _fixture.Source.Keys[_fixture.HashOf(_valid)] = _fixture.Snapshot("orders service", ["invoices:read", "orders:read", "orders:write"]);
        _unknown = ApiKeyToken.Generate("pk_live");
        _malformed = _valid[..^1] + (_valid[^1] == 'A' ? 'B' : 'A');
        _destination = new byte[32];

        // Warm both caches, as a running node would be.
        Require(_fixture.Validator.ValidateAsync(_valid, WithScope).AsTask().Result.Code == ReasonCodes.Valid);
        Require(_fixture.Validator.ValidateAsync(_unknown, WithScope).AsTask().Result.Code == ReasonCodes.NotFound);
        Require(_fixture.Validator.ValidateAsync(_malformed, WithScope).AsTask().Result.Code == ReasonCodes.Malformed);
    }

    [Benchmark(Baseline = true, Description = "HMACSHA256.HashData (floor)")]
    public byte[] BareHmac()
    {
        Span<byte> utf8 = stackalloc byte[ApiKeyToken.MaxLength];
        var length = Encoding.UTF8.GetBytes(_valid, utf8);
        HMACSHA256.HashData(_fixture.Pepper, utf8[..length], _destination);
        return _destination;
    }

    [Benchmark(Description = "Validate: cached valid key with scope")]
    public string CachedValid() => _fixture.Validator.ValidateAsync(_valid, WithScope).GetAwaiter().GetResult().Code;

    [Benchmark(Description = "Validate: malformed token")]
    public string Malformed() => _fixture.Validator.ValidateAsync(_malformed, WithScope).GetAwaiter().GetResult().Code;

    [Benchmark(Description = "Validate: unknown token (negative cache)")]
    public string Unknown() => _fixture.Validator.ValidateAsync(_unknown, WithScope).GetAwaiter().GetResult().Code;

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's setup did not produce the expected decisions.");
        }
    }
}
