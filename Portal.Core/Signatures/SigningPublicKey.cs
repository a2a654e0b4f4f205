using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text.Json;

namespace Portal.Core.Signatures;

/// <summary>
/// Reads a client's public signing key, as registered for a signing credential: a PEM
/// <c>PUBLIC KEY</c> (RFC 7468 section 13, a SubjectPublicKeyInfo) or a JWK (RFC 7517 / RFC 8037)
/// holding a P-256 or Ed25519 public key. Anything else is refused with a sentence for a person
/// that never repeats the input.
/// </summary>
/// <remarks>
/// The material returned is what <see cref="SignatureVerifier.Create"/> takes: the DER
/// SubjectPublicKeyInfo for P-256 (re-encoded, uncompressed point, after .NET checked the point is
/// on the curve), the raw 32 bytes for Ed25519. Private keys are refused outright (a PEM
/// <c>PRIVATE KEY</c> of any kind, a JWK with <c>d</c>): the product must never hold one.
/// </remarks>
public static class SigningPublicKey
{
    /// <summary>The longest text read, in characters.</summary>
    public const int MaxLength = 4096;

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string P521Oid = "1.3.132.0.35";
    private const string Secp256k1Oid = "1.3.132.0.10";
    private const string Ed25519Oid = "1.3.101.112";
    private const string Ed448Oid = "1.3.101.113";
    private const string X25519Oid = "1.3.101.110";
    private const string X448Oid = "1.3.101.111";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string RsaPssOid = "1.2.840.113549.1.1.10";
    private const int Ed25519KeyLength = 32;

    // The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 section 4): SEQUENCE, the
    // AlgorithmIdentifier with OID 1.3.101.112 and no parameters, and a 33-byte BIT STRING header.
    private static readonly byte[] Ed25519SpkiPrefix = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00];

    private const string Supported = "Give a P-256 (ecdsa-p256-sha256) or Ed25519 public key, as a PEM \"PUBLIC KEY\" or a JWK.";

    /// <summary>
    /// Reads a PEM <c>-----BEGIN PUBLIC KEY-----</c> block or a JWK JSON object. On success
    /// <paramref name="algorithm"/> is <see cref="SignatureAlgorithm.EcdsaP256Sha256"/> or
    /// <see cref="SignatureAlgorithm.Ed25519"/> and <paramref name="material"/> the verifier's input;
    /// otherwise <paramref name="error"/> says why, in a sentence.
    /// </summary>
    public static bool TryParse(string? pemOrJwk, out SignatureAlgorithm algorithm, out byte[] material, out string? error)
    {
        algorithm = default;
        material = [];
        if (string.IsNullOrWhiteSpace(pemOrJwk))
        {
            error = "The public key is empty. " + Supported;
            return false;
        }

        if (pemOrJwk.Length > MaxLength)
        {
            error = $"The public key is longer than {MaxLength} characters. " + Supported;
            return false;
        }

        var text = pemOrJwk.AsSpan().Trim();
        try
        {
            return text[0] == '{'
                ? TryParseJwk(text, out algorithm, out material, out error)
                : TryParsePem(text, out algorithm, out material, out error);
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or JsonException or FormatException)
        {
            algorithm = default;
            material = [];
            error = "The public key could not be read. " + Supported;
            return false;
        }
    }

    /// <summary>A PEM <c>PUBLIC KEY</c> block for showing a registered public key.</summary>
    /// <exception cref="ArgumentException">hmac-sha256 (a secret, never shown), or material of the wrong shape.</exception>
    public static string ToPem(SignatureAlgorithm algorithm, ReadOnlySpan<byte> material)
    {
        switch (algorithm)
        {
            case SignatureAlgorithm.EcdsaP256Sha256:
                return PemEncoding.WriteString("PUBLIC KEY", material);
            case SignatureAlgorithm.Ed25519:
                if (material.Length != Ed25519KeyLength)
                {
                    throw new ArgumentException("An ed25519 public key is 32 bytes.", nameof(material));
                }

                return PemEncoding.WriteString("PUBLIC KEY", [.. Ed25519SpkiPrefix, .. material]);
            default:
                throw new ArgumentException("Only public-key algorithms have a PEM form.", nameof(algorithm));
        }
    }

    private static bool TryParsePem(ReadOnlySpan<char> text, out SignatureAlgorithm algorithm, out byte[] material, out string? error)
    {
        algorithm = default;
        material = [];
        if (!PemEncoding.TryFind(text, out var fields))
        {
            error = "The public key is neither a PEM block nor a JWK. " + Supported;
            return false;
        }

        var label = text[fields.Label];
        if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
        {
            error = "This is a private key. Register the public key only: the private key must never leave the client.";
            return false;
        }

        if (label.SequenceEqual("RSA PUBLIC KEY"))
        {
            error = "RSA keys are not accepted. " + Supported;
            return false;
        }

        if (!label.SequenceEqual("PUBLIC KEY"))
        {
            error = "The PEM block is not a \"PUBLIC KEY\". " + Supported;
            return false;
        }

        if (!text[..fields.Location.Start].IsWhiteSpace() || !text[fields.Location.End..].IsWhiteSpace())
        {
            error = "Give exactly one PEM block and nothing else. " + Supported;
            return false;
        }

        var der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out var written) || written != der.Length)
        {
            error = "The PEM block is not valid base64. " + Supported;
            return false;
        }

        return TryParseSubjectPublicKeyInfo(der, out algorithm, out material, out error);
    }

    private static bool TryParseSubjectPublicKeyInfo(byte[] der, out SignatureAlgorithm algorithm, out byte[] material, out string? error)
    {
        algorithm = default;
        material = [];
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var spki = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var algorithmIdentifier = spki.ReadSequence();
        var oid = algorithmIdentifier.ReadObjectIdentifier();
        string? curve = null;
        if (algorithmIdentifier.HasData && algorithmIdentifier.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            curve = algorithmIdentifier.ReadObjectIdentifier();
        }

        switch (oid)
        {
            case EcPublicKeyOid when curve == P256Oid:
                using (var ecdsa = ECDsa.Create())
                {
                    ecdsa.ImportSubjectPublicKeyInfo(der, out var read);
                    if (read != der.Length)
                    {
                        error = "The public key has data after its end. " + Supported;
                        return false;
                    }

                    algorithm = SignatureAlgorithm.EcdsaP256Sha256;
                    material = ecdsa.ExportSubjectPublicKeyInfo();
                    error = null;
                    return true;
                }

            case EcPublicKeyOid:
                error = curve switch
                {
                    P384Oid => "P-384 keys are not accepted. ",
                    P521Oid => "P-521 keys are not accepted. ",
                    Secp256k1Oid => "secp256k1 keys are not accepted. ",
                    _ => "This elliptic curve is not accepted. ",
                } + Supported;
                return false;
            case Ed25519Oid:
                // RFC 8410 section 3: the parameters are absent.
                if (curve is not null)
                {
                    error = "The Ed25519 key names curve parameters, which RFC 8410 forbids. " + Supported;
                    return false;
                }

                algorithmIdentifier.ThrowIfNotEmpty();
                var key = spki.ReadBitString(out var unusedBits);
                spki.ThrowIfNotEmpty();
                if (unusedBits != 0 || key.Length != Ed25519KeyLength)
                {
                    error = "An Ed25519 public key is 32 bytes. " + Supported;
                    return false;
                }

                return TryEd25519(key, out algorithm, out material, out error);
            case X25519Oid or X448Oid:
                error = "X25519 and X448 keys agree on secrets; they cannot sign. " + Supported;
                return false;
            case Ed448Oid:
                error = "Ed448 keys are not accepted. " + Supported;
                return false;
            case RsaOid or RsaPssOid:
                error = "RSA keys are not accepted. " + Supported;
                return false;
            default:
                error = "This key type is not accepted. " + Supported;
                return false;
        }
    }

    private static bool TryParseJwk(ReadOnlySpan<char> text, out SignatureAlgorithm algorithm, out byte[] material, out string? error)
    {
        algorithm = default;
        material = [];
        using var document = JsonDocument.Parse(text.ToString(), new JsonDocumentOptions { MaxDepth = 4 });
        var jwk = document.RootElement;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            error = "A JWK is a JSON object. " + Supported;
            return false;
        }

        if (jwk.TryGetProperty("d", out _) || jwk.TryGetProperty("k", out _) || jwk.TryGetProperty("p", out _))
        {
            error = "This JWK holds private or secret key material. Register the public key only: the private key must never leave the client.";
            return false;
        }

        var kty = StringMember(jwk, "kty");
        var crv = StringMember(jwk, "crv");
        switch (kty)
        {
            case "EC" when crv == "P-256":
                var x = Base64UrlMember(jwk, "x");
                var y = Base64UrlMember(jwk, "y");
                if (x is not { Length: 32 } || y is not { Length: 32 })
                {
                    error = "A P-256 JWK has \"x\" and \"y\" of 32 bytes each, base64url-encoded. " + Supported;
                    return false;
                }

                using (var ecdsa = ECDsa.Create())
                {
                    // ImportParameters checks that the point is on the curve.
                    ecdsa.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
                    algorithm = SignatureAlgorithm.EcdsaP256Sha256;
                    material = ecdsa.ExportSubjectPublicKeyInfo();
                    error = null;
                    return true;
                }

            case "EC":
                error = crv switch
                {
                    "P-384" => "P-384 keys are not accepted. ",
                    "P-521" => "P-521 keys are not accepted. ",
                    "secp256k1" => "secp256k1 keys are not accepted. ",
                    _ => "This elliptic curve is not accepted. ",
                } + Supported;
                return false;
            case "OKP" when crv == "Ed25519":
                var key = Base64UrlMember(jwk, "x");
                if (key is not { Length: Ed25519KeyLength })
                {
                    error = "An Ed25519 JWK has \"x\" of 32 bytes, base64url-encoded. " + Supported;
                    return false;
                }

                return TryEd25519(key, out algorithm, out material, out error);
            case "OKP" when crv is "X25519" or "X448":
                error = "X25519 and X448 keys agree on secrets; they cannot sign. " + Supported;
                return false;
            case "OKP":
                error = "This OKP curve is not accepted. " + Supported;
                return false;
            case "RSA":
                error = "RSA keys are not accepted. " + Supported;
                return false;
            case "oct":
                error = "A symmetric JWK is not a public key. " + Supported;
                return false;
            default:
                error = "The JWK has no known \"kty\". " + Supported;
                return false;
        }
    }

    private static bool TryEd25519(byte[] key, out SignatureAlgorithm algorithm, out byte[] material, out string? error)
    {
        try
        {
            _ = SignatureVerifier.Create(SignatureAlgorithm.Ed25519, key);
        }
        catch (ArgumentException)
        {
            algorithm = default;
            material = [];
            error = "Not an Ed25519 public key. " + Supported;
            return false;
        }

        algorithm = SignatureAlgorithm.Ed25519;
        material = key;
        error = null;
        return true;
    }

    private static string? StringMember(JsonElement jwk, string name)
        => jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // RFC 7515 section 2: base64url without padding; anything else (padding, '+', '/') is refused.
    private static byte[]? Base64UrlMember(JsonElement jwk, string name)
    {
        var text = StringMember(jwk, name);
        if (text is null || text.Length > 128)
        {
            return null;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return null;
            }
        }

        return System.Buffers.Text.Base64Url.IsValid(text) ? System.Buffers.Text.Base64Url.DecodeFromChars(text) : null;
    }
}
