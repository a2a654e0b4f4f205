using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Portal.Core.Signatures;

namespace Portal.Benchmarks.Signatures;

/// <summary>
/// The parts of one hmac-sha256 verification, each alone: parsing the two signature fields,
/// building the base, checking the MAC and recording a new nonce.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*SignaturePartsBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SignaturePartsBenchmarks
{
    private readonly string _input = string.Concat("sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");created=1800000000;keyid=\"cred-hmac\";nonce=\"", "bWFrZSBpdCBmcmVzaA==\"");
    private readonly string _signature = string.Concat("sig1=:", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ":");
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private SignedMessage _message = null!;
    private SfInnerList _covered = null!;
    private byte[] _base = [];
    private byte[] _mac = [];
    private SignatureVerifier _verifier = null!;
    private InMemoryNonceStore _nonces = new(InMemoryNonceStore.DefaultCapacity);
    private readonly string[] _nonceTexts = Enumerable.Range(0, 8192).Select(i => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))).ToArray();
    private Guid _key = Guid.NewGuid();
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _message = new SignedMessage
        {
            Method = "POST",
            Authority = "api.example.com",
            Path = "/payments",
            Query = "confirm=1",
            Headers = new HeaderDictionary { ["Content-Digest"] = ContentDigest.Compute("{}"u8) },
            HasBody = true,
        };
        StructuredFields.TryParseDictionary(_input, out var input, out _);
        _covered = input.Members[0].Value.InnerList!;
        SignatureBase.TryCreate(_message, _covered, out _base, out _);
        _mac = HMACSHA256.HashData(_secret, _base);
        _verifier = SignatureVerifier.Create(SignatureAlgorithm.HmacSha256, _secret);
    }

    [Benchmark]
    public int ParseSignatureInput() => StructuredFields.TryParseDictionary(_input, refuseDuplicateKeys: true, out var d, out _) ? d.Count : -1;

    [Benchmark]
    public int ParseSignature() => StructuredFields.TryParseDictionary(_signature, refuseDuplicateKeys: true, out var d, out _) ? d.Count : -1;

    [Benchmark]
    public int BuildBase()
    {
        var builder = new AsciiBuilder(stackalloc byte[1024], SignatureBase.MaxLength);
        SignatureBase.TryWrite(_message, _covered, ref builder, out _);
        var length = builder.Length;
        builder.Dispose();
        return length;
    }

    [Benchmark(Baseline = true)]
    public bool VerifyMac() => _verifier.Verify(_base, _mac);

    [Benchmark]
    public NonceUse RecordNonce()
    {
        var used = _nonces.TryUse(_key, _nonceTexts[_next], DateTimeOffset.FromUnixTimeSeconds(1_800_000_330), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        if (++_next == _nonceTexts.Length)
        {
            _next = 0;
            _key = Guid.NewGuid();
            if (_nonces.Count > 500_000)
            {
                _nonces = new InMemoryNonceStore(InMemoryNonceStore.DefaultCapacity);
            }
        }

        return used;
    }
}
