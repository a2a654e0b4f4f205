using System.Security.Cryptography;
using NSec.Cryptography;
using Portal.Core.Signatures;
using SignatureAlgorithm = Portal.Core.Signatures.SignatureAlgorithm;

namespace Portal.Tests.Core.Signatures;

/// <summary>The compiled verifiers: each algorithm accepts its own signatures only, refuses bad material at creation, and is safe across threads.</summary>
public sealed class SignatureVerifierTests
{
    private static readonly byte[] Message = "\"@method\": POST\n\"@signature-params\": (\"@method\");created=1"u8.ToArray();

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    public void HmacSha256_SecretOf16To64Bytes_VerifiesItsMacOnly(int length)
    {
        var secret = RandomNumberGenerator.GetBytes(length);
        var verifier = SignatureVerifier.Create(SignatureAlgorithm.HmacSha256, secret);
        var mac = HMACSHA256.HashData(secret, Message);
        var otherMac = HMACSHA256.HashData(RandomNumberGenerator.GetBytes(length), Message);

        Assert.Equal(SignatureAlgorithm.HmacSha256, verifier.Algorithm);
        Assert.True(verifier.Verify(Message, mac));
        Assert.False(verifier.Verify(Message, otherMac));
        Assert.False(verifier.Verify(Message, mac.AsSpan(0, 31)));
        Assert.False(verifier.Verify([.. Message, (byte)' '], mac));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(65)]
    public void HmacSha256_SecretOutside16To64Bytes_IsRefused(int length)
        => Assert.Throws<ArgumentException>(() => SignatureVerifier.Create(SignatureAlgorithm.HmacSha256, new byte[length]));

    [Fact]
    public void EcdsaP256_P1363Signature_VerifiesAndDerOrOtherKeysDoNot()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var verifier = SignatureVerifier.Create(SignatureAlgorithm.EcdsaP256Sha256, key.ExportSubjectPublicKeyInfo());
        var signature = key.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var der = key.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        Assert.True(verifier.Verify(Message, signature));
        Assert.False(verifier.Verify(Message, der));
        Assert.False(verifier.Verify(Message, other.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
        Assert.False(verifier.Verify(Message, new byte[64]));
    }

    [Fact]
    public void EcdsaP256_OtherCurveOrGarbage_IsRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);

        Assert.Throws<ArgumentException>(() => SignatureVerifier.Create(SignatureAlgorithm.EcdsaP256Sha256, p384.ExportSubjectPublicKeyInfo()));
        Assert.Throws<ArgumentException>(() => SignatureVerifier.Create(SignatureAlgorithm.EcdsaP256Sha256, rsa.ExportSubjectPublicKeyInfo()));
        Assert.Throws<ArgumentException>(() => SignatureVerifier.Create(SignatureAlgorithm.EcdsaP256Sha256, new byte[91]));
    }

    [Fact]
    public void EcdsaP256_ManyThreadsAtOnce_EachVerificationIsRight()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var verifier = SignatureVerifier.Create(SignatureAlgorithm.EcdsaP256Sha256, key.ExportSubjectPublicKeyInfo());
        var messages = Enumerable.Range(0, 64).Select(i => BitConverter.GetBytes(i)).ToArray();
        var signatures = messages.Select(m => key.SignData(m, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)).ToArray();

        var results = new bool[messages.Length * 2];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var m = i % messages.Length;
            // Odd indexes check a signature against the wrong message.
            results[i] = verifier.Verify(messages[m], signatures[i < messages.Length ? m : (m + 1) % messages.Length]);
        });

        Assert.All(results.Take(messages.Length), Assert.True);
        Assert.All(results.Skip(messages.Length), Assert.False);
    }

    [Fact]
    public void Ed25519_ItsSignatureVerifiesAndAnotherKeysDoesNot()
    {
        using var key = Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        using var other = Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        var verifier = SignatureVerifier.Create(SignatureAlgorithm.Ed25519, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var signature = NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(key, Message);

        Assert.True(verifier.Verify(Message, signature));
        Assert.False(verifier.Verify(Message, NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(other, Message)));
        Assert.False(verifier.Verify(Message, signature.AsSpan(0, 63)));
        Assert.False(verifier.Verify(Message, new byte[64]));
    }

    [Fact]
    public void Ed25519_NotThirtyTwoBytes_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => SignatureVerifier.Create(SignatureAlgorithm.Ed25519, new byte[31]));
        Assert.Throws<ArgumentException>(() => SignatureVerifier.Create(SignatureAlgorithm.Ed25519, new byte[44]));
    }

    [Fact]
    public void Names_RoundTripAndRefuseOtherSpellings()
    {
        foreach (var algorithm in Enum.GetValues<SignatureAlgorithm>())
        {
            Assert.True(SignatureAlgorithms.TryParse(SignatureAlgorithms.Name(algorithm), out var parsed));
            Assert.Equal(algorithm, parsed);
        }

        Assert.Equal(["hmac-sha256", "ecdsa-p256-sha256", "ed25519"], Enum.GetValues<SignatureAlgorithm>().Select(SignatureAlgorithms.Name));
        Assert.False(SignatureAlgorithms.TryParse("HMAC-SHA256", out _));
        Assert.False(SignatureAlgorithms.TryParse("rsa-pss-sha512", out _));
        Assert.False(SignatureAlgorithms.TryParse(null, out _));
    }
}
