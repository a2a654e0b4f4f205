using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using NSec.Cryptography;
using Portal.Core.Signatures;
using SignatureAlgorithm = Portal.Core.Signatures.SignatureAlgorithm;

namespace Portal.Benchmarks.Signatures;

/// <summary>
/// One signed request verified end to end through <see cref="MessageSignatures.Verify"/>: both
/// signature fields parsed, the profile checked, the base built, the signature verified and the
/// nonce recorded. The request is <c>POST /payments?confirm=1</c> with a JSON body, signed over the
/// required components <c>("@method" "@authority" "@path" "@query" "content-digest")</c> with
/// created, keyid and nonce, by hmac-sha256, ecdsa-p256-sha256 and ed25519.
/// Each call takes the next of 64 requests signed in setup (each with its own nonce: few enough to
/// stay in the CPU cache, as a request just read from the socket is); each pass over them uses a
/// new key id, so every nonce is new. The nonce store is replaced once it holds
/// <see cref="NoncesHeld"/> nonces: 10,000 is a node verifying about 30 signed requests a second
/// (nonces are kept 330 s), 500,000 one verifying about 1,500, whose store no longer fits the CPU
/// caches, so recording a nonce costs a memory access or two.
/// Run: dotnet run -c Release --project Portal.Benchmarks -- --filter '*SignatureBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SignatureBenchmarks
{
    private const int Requests = 64;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private readonly Rotation _hmac = new();
    private readonly Rotation _ecdsa = new();
    private readonly Rotation _ed25519 = new();
    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _token = Encoding.UTF8.GetBytes("pk_live_" + new string('x', 39));
    private readonly byte[] _mac = new byte[32];

    [Params(10_000, 500_000)]
    public int NoncesHeld { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ed25519 = Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        foreach (var rotation in new[] { _hmac, _ecdsa, _ed25519 })
        {
            rotation.NoncesHeld = NoncesHeld;
        }

        _hmac.Fill(new SigningCredential("cred-hmac", SignatureAlgorithm.HmacSha256, SignatureVerifier.Create(SignatureAlgorithm.HmacSha256, secret), null),
            b => HMACSHA256.HashData(secret, b));
        _ecdsa.Fill(new SigningCredential("cred-ecdsa", SignatureAlgorithm.EcdsaP256Sha256, SignatureVerifier.Create(SignatureAlgorithm.EcdsaP256Sha256, ecdsa.ExportSubjectPublicKeyInfo()), null),
            b => ecdsa.SignData(b, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        _ed25519.Fill(new SigningCredential("cred-ed25519", SignatureAlgorithm.Ed25519, SignatureVerifier.Create(SignatureAlgorithm.Ed25519, ed25519.PublicKey.Export(KeyBlobFormat.RawPublicKey)), null),
            b => NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(ed25519, b));
    }

    [Benchmark(Baseline = true)]
    public SignatureStatus HmacSha256() => _hmac.VerifyNext();

    [Benchmark]
    public SignatureStatus EcdsaP256Sha256() => _ecdsa.VerifyNext();

    [Benchmark]
    public SignatureStatus Ed25519() => _ed25519.VerifyNext();

    /// <summary>
    /// The validation benchmark's floor (a one-shot HMAC of a 47-character token), run beside the
    /// others so figures from a busy machine can be compared with the quiet one.
    /// </summary>
    [Benchmark]
    public byte[] OneShotHmacOfAToken()
    {
        HMACSHA256.HashData(_tokenKey, _token, _mac);
        return _mac;
    }

    private sealed class Rotation
    {
        private readonly SignedMessage[] _messages = new SignedMessage[Requests];
        private SigningCredentialSet _credentials = SigningCredentialSet.Empty;
        private InMemoryNonceStore _nonces = new(InMemoryNonceStore.DefaultCapacity);
        private Guid _key = Guid.NewGuid();
        private int _next;

        public int NoncesHeld { get; set; }

        public void Fill(SigningCredential credential, Func<byte[], byte[]> sign)
        {
            _credentials = new SigningCredentialSet([credential]);
            const string body = "{\"amount\": 100, \"currency\": \"EUR\", \"to\": \"DE89370400440532013000\"}";
            var digest = ContentDigest.Compute(Encoding.UTF8.GetBytes(body));
            for (var i = 0; i < Requests; i++)
            {
                var member = $"sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");created={Now.ToUnixTimeSeconds()};keyid=\"{credential.KeyId}\";nonce=\"{Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\"";
                var unsigned = Message(digest, null, null);
                StructuredFields.TryParseDictionary(member, out var input, out _);
                if (!SignatureBase.TryCreate(unsigned, input.Members[0].Value.InnerList!, out var signatureBase, out var error))
                {
                    throw new InvalidOperationException(error);
                }

                _messages[i] = Message(digest, member, $"sig1=:{Convert.ToBase64String(sign(signatureBase))}:");
            }

            // One check outside the measurement, on a store of its own.
            var outcome = MessageSignatures.Verify(_messages[0], _credentials, Guid.NewGuid(), Now, new InMemoryNonceStore(10));
            if (!outcome.IsValid)
            {
                throw new InvalidOperationException(outcome.Detail);
            }
        }

        public SignatureStatus VerifyNext()
        {
            var outcome = MessageSignatures.Verify(_messages[_next], _credentials, _key, Now, _nonces);
            if (++_next == Requests)
            {
                _next = 0;
                _key = Guid.NewGuid();
                if (_nonces.Count >= NoncesHeld)
                {
                    _nonces = new InMemoryNonceStore(InMemoryNonceStore.DefaultCapacity);
                }
            }

            return outcome.Status;
        }

        // What a door builds from a request: the original headers and the two signature fields.
        private static SignedMessage Message(string digest, string? signatureInput, string? signature) => new()
        {
            Method = "POST",
            Authority = "api.example.com",
            Path = "/payments",
            Query = "confirm=1",
            Headers = new HeaderDictionary
            {
                ["Host"] = "api.example.com",
                ["Content-Type"] = "application/json",
                ["Content-Digest"] = digest,
                ["Signature-Input"] = signatureInput,
                ["Signature"] = signature,
            },
            SignatureInput = signatureInput,
            Signature = signature,
            HasBody = true,
        };
    }
}
