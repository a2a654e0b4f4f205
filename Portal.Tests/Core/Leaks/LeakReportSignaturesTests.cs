using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Leaks;

namespace Portal.Tests.Core.Leaks;

/// <summary>Signatures as GitHub's secret scanning partner program makes them: base64 DER ECDSA P-256 over the SHA-256 of the raw body.</summary>
public sealed class LeakReportSignaturesTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""[{"source":"commit","token":"some_token","type":"some_type","url":"https://example.com/base-repo-url/"}]""");

    private readonly LeakReportSignatures _signatures = new(Options.Create(new LeakReportOptions
    {
        PublicKeys = [new LeakReportPublicKey { KeyIdentifier = "k1", PublicKeyPem = Key.ExportSubjectPublicKeyInfoPem() }],
    }));

    [Fact]
    public void Verify_DerSignatureOfTheBody_IsValid()
    {
        var signature = Convert.ToBase64String(Key.SignData(Body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        Assert.Equal(LeakSignatureCheck.Valid, _signatures.Verify("k1", signature, Body));
    }

    [Fact]
    public void Verify_Failures_AreToldApart()
    {
        var der = Key.SignData(Body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var ieee = Key.SignData(Body, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var flipped = (byte[])der.Clone();
        flipped[^1] ^= 1;

        Assert.Equal(LeakSignatureCheck.UnknownKey, _signatures.Verify("k2", Convert.ToBase64String(der), Body));
        Assert.Equal(LeakSignatureCheck.Malformed, _signatures.Verify("k1", "%%%", Body));
        Assert.Equal(LeakSignatureCheck.Malformed, _signatures.Verify("k1", new string('A', 400), Body));
        Assert.Equal(LeakSignatureCheck.Invalid, _signatures.Verify("k1", Convert.ToBase64String(ieee), Body));
        Assert.Equal(LeakSignatureCheck.Invalid, _signatures.Verify("k1", Convert.ToBase64String(flipped), Body));
        Assert.Equal(LeakSignatureCheck.Invalid, _signatures.Verify("k1", Convert.ToBase64String(der), [.. Body, (byte)'\n']));
    }

    public static TheoryData<string, string, string> BadKeys() => new()
    {
        { "not PEM", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", "is not PEM" },
        { "a private key", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem(), "must be a PUBLIC KEY, not a EC PRIVATE KEY" },
        { "an RSA key", RSA.Create(2048).ExportSubjectPublicKeyInfoPem(), "is not an ECDSA P-256 public key" },
        { "a P-384 key", ECDsa.Create(ECCurve.NamedCurves.nistP384).ExportSubjectPublicKeyInfoPem(), "must be an ECDSA key on the P-256 curve" },
        { "a broken body", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "is not an ECDSA P-256 public key" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void TryReadPublicKey_NotAP256PublicKey_SaysWhy(string scenario, string pem, string error)
    {
        Assert.False(LeakReportSignatures.TryReadPublicKey(pem, out _, out var message), scenario);
        Assert.Contains(error, message);
    }

    [Fact]
    public void IsConfigured_WithoutKeys_IsFalse()
    {
        Assert.False(new LeakReportSignatures(Options.Create(new LeakReportOptions())).IsConfigured);
        Assert.True(_signatures.IsConfigured);
    }
}
