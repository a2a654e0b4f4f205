using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Portal.Core.Signatures;
using SignatureAlgorithm = Portal.Core.Signatures.SignatureAlgorithm;

namespace Portal.Tests.Core.Signatures;

/// <summary>Registering a client's public key: P-256 and Ed25519 as PEM or JWK; everything else refused with a reason.</summary>
public sealed class SigningPublicKeyTests
{
    [Fact]
    public void TryParse_P256Pem_ReturnsTheSubjectPublicKeyInfo()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.True(SigningPublicKey.TryParse(key.ExportSubjectPublicKeyInfoPem(), out var algorithm, out var material, out var error), error);

        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, algorithm);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), material);
    }

    [Fact]
    public void TryParse_P256Jwk_ReturnsTheSameSubjectPublicKeyInfoAsThePem()
    {
        Assert.True(SigningPublicKey.TryParse(Rfc9421Vectors.EccP256PublicKey, out _, out var fromPem, out _));
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(fromPem, out _);
        var point = key.ExportParameters(false).Q;
        var jwk = $$"""{ "kty": "EC", "crv": "P-256", "kid": "test-key-ecc-p256", "x": "{{Base64Url.EncodeToString(point.X)}}", "y": "{{Base64Url.EncodeToString(point.Y)}}" }""";

        Assert.True(SigningPublicKey.TryParse(jwk, out var algorithm, out var material, out var error), error);

        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, algorithm);
        Assert.Equal(fromPem, material);
    }

    [Fact]
    public void TryParse_Ed25519PemAndJwk_ReturnTheRaw32Bytes()
    {
        using var key = Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        var raw = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var pem = Encoding.ASCII.GetString(key.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText));
        var jwk = $$"""{"kty":"OKP","crv":"Ed25519","x":"{{Base64Url.EncodeToString(raw)}}"}""";

        Assert.True(SigningPublicKey.TryParse(pem, out var fromPem, out var pemMaterial, out var error), error);
        Assert.True(SigningPublicKey.TryParse(jwk, out var fromJwk, out var jwkMaterial, out error), error);

        Assert.Equal(SignatureAlgorithm.Ed25519, fromPem);
        Assert.Equal(SignatureAlgorithm.Ed25519, fromJwk);
        Assert.Equal(raw, pemMaterial);
        Assert.Equal(raw, jwkMaterial);
    }

    [Fact]
    public void ToPem_RegisteredKeys_GivesBackAPemThatParsesToTheSameMaterial()
    {
        Assert.True(SigningPublicKey.TryParse(Rfc9421Vectors.Ed25519PublicKey, out var ed, out var edMaterial, out _));
        Assert.True(SigningPublicKey.TryParse(Rfc9421Vectors.EccP256PublicKey, out var ec, out var ecMaterial, out _));

        var edPem = SigningPublicKey.ToPem(ed, edMaterial);
        var ecPem = SigningPublicKey.ToPem(ec, ecMaterial);

        Assert.Equal(Rfc9421Vectors.Ed25519PublicKey.ReplaceLineEndings("\n"), edPem.ReplaceLineEndings("\n"));
        Assert.Equal(Rfc9421Vectors.EccP256PublicKey.ReplaceLineEndings("\n"), ecPem.ReplaceLineEndings("\n"));
        Assert.Throws<ArgumentException>(() => SigningPublicKey.ToPem(SignatureAlgorithm.HmacSha256, new byte[32]));
    }

    public static TheoryData<string, string> Refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        using var rsa = RSA.Create(2048);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        using var ed25519 = Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var p384Point = p384.ExportParameters(false).Q;
        var p256Parameters = p256.ExportParameters(true);
        var x25519Raw = Base64Url.EncodeToString(x25519.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var offCurve = (byte[])p256Parameters.Q.Y!.Clone();
        offCurve[^1] ^= 1;
        var rsaParameters = rsa.ExportParameters(false);
        return new TheoryData<string, string>
        {
            { p384.ExportSubjectPublicKeyInfoPem(), "P-384 keys are not accepted." },
            { p521.ExportSubjectPublicKeyInfoPem(), "P-521 keys are not accepted." },
            { rsa.ExportSubjectPublicKeyInfoPem(), "RSA keys are not accepted." },
            { rsa.ExportRSAPublicKeyPem(), "RSA keys are not accepted." },
            { Encoding.ASCII.GetString(x25519.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText)), "X25519 and X448 keys agree on secrets; they cannot sign." },
            { p256.ExportPkcs8PrivateKeyPem(), "This is a private key." },
            { p256.ExportECPrivateKeyPem(), "This is a private key." },
            { rsa.ExportRSAPrivateKeyPem(), "This is a private key." },
            { Encoding.ASCII.GetString(ed25519.Export(KeyBlobFormat.PkixPrivateKeyText)), "This is a private key." },
            { Rfc9421Vectors.EccP256PrivateKey, "This is a private key." },
            { $$"""{"kty":"EC","crv":"P-384","x":"{{Base64Url.EncodeToString(p384Point.X)}}","y":"{{Base64Url.EncodeToString(p384Point.Y)}}"}""", "P-384 keys are not accepted." },
            { """{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}""", "secp256k1 keys are not accepted." },
            { $$"""{"kty":"RSA","n":"{{Base64Url.EncodeToString(rsaParameters.Modulus)}}","e":"AQAB"}""", "RSA keys are not accepted." },
            { $$"""{"kty":"OKP","crv":"X25519","x":"{{x25519Raw}}"}""", "X25519 and X448 keys agree on secrets; they cannot sign." },
            { $$"""{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(p256Parameters.Q.X)}}","y":"{{Base64Url.EncodeToString(p256Parameters.Q.Y)}}","d":"{{Base64Url.EncodeToString(p256Parameters.D)}}"}""", "This JWK holds private or secret key material." },
            { """{"kty":"oct","k":"c2VjcmV0"}""", "This JWK holds private or secret key material." },
            { $$"""{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(p256Parameters.Q.X)}}","y":"{{Base64Url.EncodeToString(offCurve)}}"}""", "The public key could not be read." },
            { """{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}""", "A P-256 JWK has \"x\" and \"y\" of 32 bytes each" },
            { """{"kty":"OKP","crv":"Ed25519","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs="}""", "An Ed25519 JWK has \"x\" of 32 bytes" },
            { """{"kty":"OKP","crv":"Ed25519"}""", "An Ed25519 JWK has \"x\" of 32 bytes" },
            { """{"crv":"Ed25519","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}""", "The JWK has no known \"kty\"." },
            { """["not", "an", "object"]""", "The public key is neither a PEM block nor a JWK." },
            { """{"kty": "EC", """, "The public key could not be read." },
            { "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "The PEM block is not a \"PUBLIC KEY\"." },
            { "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----", "The public key could not be read." },
            { Rfc9421Vectors.Ed25519PublicKey + "\n" + Rfc9421Vectors.EccP256PublicKey, "Give exactly one PEM block and nothing else." },
            { "garbage", "The public key is neither a PEM block nor a JWK." },
            { "", "The public key is empty." },
            { new string('A', 4097), "The public key is longer than 4096 characters." },
        };
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryParse_NotAP256OrEd25519PublicKey_IsRefusedWithAReason(string text, string reason)
    {
        Assert.False(SigningPublicKey.TryParse(text, out _, out var material, out var error));

        Assert.Empty(material);
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Refusal_NeverRepeatsTheInput()
    {
        const string marker = "ZZZ-UNIQUE-MARKER-ZZZ";

        Assert.False(SigningPublicKey.TryParse($$"""{"kty":"{{marker}}"}""", out _, out _, out var jwkError));
        Assert.False(SigningPublicKey.TryParse($"-----BEGIN {marker}-----\nAAAA\n-----END {marker}-----", out _, out _, out var pemError));

        Assert.DoesNotContain(marker, jwkError, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, pemError, StringComparison.Ordinal);
    }
}
