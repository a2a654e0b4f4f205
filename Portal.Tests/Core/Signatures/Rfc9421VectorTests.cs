using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Portal.Core.Signatures;
using SignatureAlgorithm = Portal.Core.Signatures.SignatureAlgorithm;

namespace Portal.Tests.Core.Signatures;

/// <summary>
/// RFC 9421 Appendix B: the signature bases this library builds for the RFC's example messages
/// equal the printed ones byte for byte; the ecdsa-p256-sha256 signature of B.2.4 verifies; the
/// hmac-sha256 (B.2.5) and ed25519 (B.2.6) signatures are reproduced exactly and verify.
/// </summary>
public sealed class Rfc9421VectorTests
{
    [Fact]
    public void Base_B21MinimalSignature_EqualsTheRfc()
    {
        const string input = "sig-b21=();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"";

        var signatureBase = BaseOf(Rfc9421Vectors.Request(), input, "sig-b21");

        Assert.Equal("\"@signature-params\": ();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"", signatureBase);
    }

    [Fact]
    public void Base_B22SelectiveCoverage_EqualsTheRfc()
    {
        const string input = "sig-b22=(\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\"";

        var signatureBase = BaseOf(Rfc9421Vectors.Request(), input, "sig-b22");

        Assert.Equal(
            "\"@authority\": example.com\n" +
            "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n" +
            "\"@query-param\";name=\"Pet\": dog\n" +
            "\"@signature-params\": (\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\"",
            signatureBase);
    }

    [Fact]
    public void Base_B23FullCoverage_EqualsTheRfc()
    {
        const string input = "sig-b23=(\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\"";

        var signatureBase = BaseOf(Rfc9421Vectors.Request(), input, "sig-b23");

        Assert.Equal(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n" +
            "\"@method\": POST\n" +
            "\"@path\": /foo\n" +
            "\"@query\": ?param=Value&Pet=dog\n" +
            "\"@authority\": example.com\n" +
            "\"content-type\": application/json\n" +
            "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n" +
            "\"content-length\": 18\n" +
            "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\"",
            signatureBase);
    }

    [Fact]
    public void Verify_B24EcdsaP256Response_BaseEqualsTheRfcAndTheSignatureVerifies()
    {
        const string input = "sig-b24=(\"@status\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-ecc-p256\"";
        var signature = Convert.FromBase64String("wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==");
        Assert.True(SigningPublicKey.TryParse(Rfc9421Vectors.EccP256PublicKey, out var algorithm, out var material, out var error), error);
        var verifier = SignatureVerifier.Create(algorithm, material);

        var signatureBase = BaseOf(Rfc9421Vectors.Response(), input, "sig-b24");
        var tampered = signatureBase.Replace("200", "201", StringComparison.Ordinal);

        Assert.Equal(
            "\"@status\": 200\n" +
            "\"content-type\": application/json\n" +
            "\"content-digest\": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:\n" +
            "\"content-length\": 23\n" +
            "\"@signature-params\": (\"@status\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-ecc-p256\"",
            signatureBase);
        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, algorithm);
        Assert.True(verifier.Verify(Encoding.ASCII.GetBytes(signatureBase), signature));
        Assert.False(verifier.Verify(Encoding.ASCII.GetBytes(tampered), signature));
    }

    [Fact]
    public void Sign_B25HmacSha256_BaseAndSignatureEqualTheRfc()
    {
        const string input = "sig-b25=(\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\"";
        var secret = Convert.FromBase64String(Rfc9421Vectors.SharedSecret);

        var signatureBase = BaseOf(Rfc9421Vectors.Request(), input, "sig-b25");
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signatureBase));

        Assert.Equal(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n" +
            "\"@authority\": example.com\n" +
            "\"content-type\": application/json\n" +
            "\"@signature-params\": (\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\"",
            signatureBase);
        Assert.Equal("pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=", Convert.ToBase64String(signature));
        Assert.True(SignatureVerifier.Create(SignatureAlgorithm.HmacSha256, secret).Verify(Encoding.ASCII.GetBytes(signatureBase), signature));
    }

    [Fact]
    public void Sign_B26Ed25519_BaseAndSignatureEqualTheRfc()
    {
        const string input = "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
        var expected = Convert.FromBase64String("wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==");
        using var privateKey = Key.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, Encoding.ASCII.GetBytes(Rfc9421Vectors.Ed25519PrivateKey), KeyBlobFormat.PkixPrivateKeyText);
        Assert.True(SigningPublicKey.TryParse(Rfc9421Vectors.Ed25519PublicKey, out var algorithm, out var material, out var error), error);

        var signatureBase = BaseOf(Rfc9421Vectors.Request(), input, "sig-b26");
        var signature = NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(privateKey, Encoding.ASCII.GetBytes(signatureBase));

        Assert.Equal(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n" +
            "\"@method\": POST\n" +
            "\"@path\": /foo\n" +
            "\"@authority\": example.com\n" +
            "\"content-type\": application/json\n" +
            "\"content-length\": 18\n" +
            "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"",
            signatureBase);
        Assert.Equal(expected, signature);
        Assert.Equal(SignatureAlgorithm.Ed25519, algorithm);
        Assert.Equal(privateKey.PublicKey.Export(KeyBlobFormat.RawPublicKey), material);
        Assert.True(SignatureVerifier.Create(algorithm, material).Verify(Encoding.ASCII.GetBytes(signatureBase), expected));
    }

    [Fact]
    public void Verify_B26WithItsOwnHeaders_IsRefusedByTheProfileForItsMissingNonce()
    {
        // A signature valid under RFC 9421 alone: this product also requires a nonce and @query.
        Assert.True(SigningPublicKey.TryParse(Rfc9421Vectors.Ed25519PublicKey, out var algorithm, out var material, out _));
        var credentials = new SigningCredentialSet([new SigningCredential("test-key-ed25519", algorithm, SignatureVerifier.Create(algorithm, material), null)]);
        var message = Rfc9421Vectors.Request(
            "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"",
            "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:");

        var outcome = MessageSignatures.Verify(message, credentials, Guid.NewGuid(), DateTimeOffset.FromUnixTimeSeconds(1618884473), new InMemoryNonceStore(10));

        Assert.Equal(SignatureStatus.Invalid, outcome.Status);
        Assert.Equal("nonce parameter is required", outcome.Detail);
    }

    [Fact]
    public void ContentDigest_TestMessages_AreTheSha512OfTheirBodies()
    {
        Assert.Equal(Rfc9421Vectors.RequestContentDigest, ContentDigest.Compute(Encoding.UTF8.GetBytes(Rfc9421Vectors.RequestBody), "sha-512"));
        Assert.Equal(Rfc9421Vectors.ResponseContentDigest, ContentDigest.Compute(Encoding.UTF8.GetBytes(Rfc9421Vectors.ResponseBody), "sha-512"));
    }

    private static string BaseOf(SignedMessage message, string signatureInput, string label)
    {
        Assert.True(StructuredFields.TryParseDictionary(signatureInput, refuseDuplicateKeys: true, out var dictionary, out var error), error);
        Assert.True(dictionary.TryGetValue(label, out var member));
        Assert.True(SignatureBase.TryCreate(message, member.InnerList!, out var bytes, out error), error);
        return Encoding.ASCII.GetString(bytes);
    }
}
