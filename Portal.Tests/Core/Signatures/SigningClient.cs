using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using NSec.Cryptography;
using Portal.Core.Signatures;
using SignatureAlgorithm = Portal.Core.Signatures.SignatureAlgorithm;

namespace Portal.Tests.Core.Signatures;

/// <summary>
/// A client of the profile in tests: holds an hmac-sha256 secret, a P-256 key and an Ed25519 key,
/// and signs requests the way a client library would (ECDSA in IEEE P1363 form).
/// </summary>
internal sealed class SigningClient : IDisposable
{
    public const string HmacKeyId = "cred-hmac";
    public const string EcdsaKeyId = "cred-ecdsa";
    public const string Ed25519KeyId = "cred-ed25519";

    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly Key _ed25519 = Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);

    public byte[] HmacSecret { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The key's credentials as the product holds them: the secret and the two public keys.</summary>
    public SigningCredentialSet Credentials(DateTimeOffset? expiresAt = null) => new(
    [
        new SigningCredential(HmacKeyId, SignatureAlgorithm.HmacSha256, SignatureVerifier.Create(SignatureAlgorithm.HmacSha256, HmacSecret), expiresAt),
        new SigningCredential(EcdsaKeyId, SignatureAlgorithm.EcdsaP256Sha256, SignatureVerifier.Create(SignatureAlgorithm.EcdsaP256Sha256, _ecdsa.ExportSubjectPublicKeyInfo()), expiresAt),
        new SigningCredential(Ed25519KeyId, SignatureAlgorithm.Ed25519, SignatureVerifier.Create(SignatureAlgorithm.Ed25519, _ed25519.PublicKey.Export(KeyBlobFormat.RawPublicKey)), expiresAt),
    ]);

    public byte[] SignWith(string keyId, byte[] signatureBase) => keyId switch
    {
        HmacKeyId => HMACSHA256.HashData(HmacSecret, signatureBase),
        EcdsaKeyId => _ecdsa.SignData(signatureBase, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        Ed25519KeyId => NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(_ed25519, signatureBase),
        _ => throw new ArgumentOutOfRangeException(nameof(keyId)),
    };

    /// <summary>
    /// Signs <paramref name="message"/> under <paramref name="label"/> with the components and
    /// parameters of <paramref name="innerList"/> (e.g. <c>("@method");created=1;keyid="k";nonce="n"</c>),
    /// with the credential the <c>keyid</c> names; earlier fields are kept before the new member.
    /// </summary>
    public SignedMessage Sign(SignedMessage message, string innerList, string label = "sig1")
    {
        var member = $"{label}={innerList}";
        Assert.True(StructuredFields.TryParseDictionary(member, out var parsed, out var error), error);
        var covered = parsed.Members[0].Value.InnerList!;
        Assert.True(covered.Parameters.TryGet("keyid", out var keyId));
        Assert.True(SignatureBase.TryCreate(message, covered, out var signatureBase, out error), error);
        var signature = SignWith(keyId.Text!, signatureBase);
        return With(message,
            signatureInput: message.SignatureInput is null ? member : message.SignatureInput + ", " + member,
            signature: (message.Signature is null ? "" : message.Signature + ", ") + $"{label}=:{Convert.ToBase64String(signature)}:");
    }

    /// <summary>A copy of <paramref name="message"/> with some parts replaced.</summary>
    public static SignedMessage With(SignedMessage message, string? signatureInput = null, string? signature = null, string? path = null,
        string? query = null, string? bodyDigest = null, IHeaderDictionary? headers = null, bool keepSignatureFields = true) => new()
    {
        Method = message.Method,
        Authority = message.Authority,
        Path = path ?? message.Path,
        Query = query ?? message.Query,
        Headers = headers ?? message.Headers,
        SignatureInput = signatureInput ?? (keepSignatureFields ? message.SignatureInput : null),
        Signature = signature ?? (keepSignatureFields ? message.Signature : null),
        HasBody = message.HasBody,
        BodyDigest = bodyDigest ?? message.BodyDigest,
        Scheme = message.Scheme,
        Status = message.Status,
    };

    /// <summary>An unsigned request to api.example.com; with a body, it carries the body's Content-Digest.</summary>
    public static SignedMessage Request(string method = "POST", string path = "/payments", string? query = null, string? body = "{\"amount\": 100}")
    {
        var headers = new HeaderDictionary { ["Host"] = "api.example.com" };
        if (body is not null)
        {
            headers["Content-Type"] = "application/json";
            headers["Content-Digest"] = ContentDigest.Compute(Encoding.UTF8.GetBytes(body));
        }

        return new SignedMessage
        {
            Method = method,
            Authority = "api.example.com",
            Path = path,
            Query = query,
            Headers = headers,
            HasBody = body is not null,
        };
    }

    public void Dispose()
    {
        _ecdsa.Dispose();
        _ed25519.Dispose();
    }
}
