using System.Security.Cryptography;
using Ed25519Algorithm = NSec.Cryptography.SignatureAlgorithm;
using NSecKeyBlobFormat = NSec.Cryptography.KeyBlobFormat;
using NSecPublicKey = NSec.Cryptography.PublicKey;

namespace Portal.Core.Signatures;

/// <summary>
/// A compiled verifying key of one signing credential: checks a signature over a signature base
/// (RFC 9421 section 3.2). Thread-safe; build it once per credential and keep it.
/// </summary>
/// <remarks>
/// hmac-sha256 recomputes the MAC (RFC 2104) and compares in constant time; ecdsa-p256-sha256 takes the 64-byte
/// r‖s form of RFC 9421 section 3.3.4 (IEEE P1363), never DER; ed25519 is RFC 8032 verification by
/// libsodium (NSec.Cryptography), which also refuses small-order keys and non-canonical signatures.
/// </remarks>
public abstract class SignatureVerifier
{
    /// <summary>The shortest HMAC secret taken, in bytes (the product generates 32).</summary>
    public const int MinHmacSecretLength = 16;

    /// <summary>The longest HMAC secret taken, in bytes (one SHA-256 block).</summary>
    public const int MaxHmacSecretLength = 64;

    private protected SignatureVerifier()
    {
    }

    public abstract SignatureAlgorithm Algorithm { get; }

    /// <summary>
    /// Compiles a verifying key. <paramref name="material"/> is, for hmac-sha256, the secret (16 to
    /// 64 bytes); for ecdsa-p256-sha256, a SubjectPublicKeyInfo (DER) of a P-256 public key; for
    /// ed25519, the raw 32-byte public key (RFC 8032 section 5.1.5).
    /// </summary>
    /// <exception cref="ArgumentException">The material does not fit the algorithm, or the EC point is not on the curve.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not defined.</exception>
    public static SignatureVerifier Create(SignatureAlgorithm algorithm, ReadOnlySpan<byte> material) => algorithm switch
    {
        SignatureAlgorithm.HmacSha256 => new HmacVerifier(material),
        SignatureAlgorithm.EcdsaP256Sha256 => new EcdsaVerifier(material),
        SignatureAlgorithm.Ed25519 => new Ed25519Verifier(material),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>True when <paramref name="signature"/> is this key's signature over <paramref name="signatureBase"/>; never throws for bad input.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> signatureBase, ReadOnlySpan<byte> signature);

    /// <summary>
    /// Keeps keyed HMAC states (IncrementalHash) in a small lock-free pool: reusing one skips the
    /// key schedule and the native context set-up that a one-shot HMAC pays on every call.
    /// </summary>
    private sealed class HmacVerifier : SignatureVerifier
    {
        private readonly byte[] _secret;
        private readonly IncrementalHash?[] _pool = new IncrementalHash?[Math.Clamp(Environment.ProcessorCount, 2, 16)];

        public HmacVerifier(ReadOnlySpan<byte> secret)
        {
            if (secret.Length is < MinHmacSecretLength or > MaxHmacSecretLength)
            {
                throw new ArgumentException($"An hmac-sha256 secret is {MinHmacSecretLength} to {MaxHmacSecretLength} bytes.", nameof(secret));
            }

            _secret = secret.ToArray();
        }

        public override SignatureAlgorithm Algorithm => SignatureAlgorithm.HmacSha256;

        public override bool Verify(ReadOnlySpan<byte> signatureBase, ReadOnlySpan<byte> signature)
        {
            if (signature.Length != HMACSHA256.HashSizeInBytes)
            {
                return false;
            }

            Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
            var hmac = Rent();
            try
            {
                hmac.AppendData(signatureBase);
                hmac.GetHashAndReset(expected);
            }
            catch
            {
                // A state left half-used is not returned to the pool.
                hmac.Dispose();
                throw;
            }

            Return(hmac);
            return CryptographicOperations.FixedTimeEquals(expected, signature);
        }

        private IncrementalHash Rent()
        {
            for (var i = 0; i < _pool.Length; i++)
            {
                if (Interlocked.Exchange(ref _pool[i], null) is { } pooled)
                {
                    return pooled;
                }
            }

            return IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _secret);
        }

        private void Return(IncrementalHash hmac)
        {
            for (var i = 0; i < _pool.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _pool[i], hmac, null) is null)
                {
                    return;
                }
            }

            hmac.Dispose();
        }
    }

    /// <summary>
    /// ECDsa objects are not documented as safe for concurrent use, so each verification takes one
    /// from a small lock-free pool (made on demand from the stored key, about 20 µs) and puts it back.
    /// </summary>
    private sealed class EcdsaVerifier : SignatureVerifier
    {
        internal const string P256Oid = "1.2.840.10045.3.1.7";
        private const int SignatureLength = 64;
        private readonly byte[] _subjectPublicKeyInfo;
        private readonly ECDsa?[] _pool = new ECDsa?[Math.Clamp(Environment.ProcessorCount, 2, 16)];

        public EcdsaVerifier(ReadOnlySpan<byte> subjectPublicKeyInfo)
        {
            _subjectPublicKeyInfo = subjectPublicKeyInfo.ToArray();
            ECDsa first;
            try
            {
                first = Import(_subjectPublicKeyInfo);
            }
            catch (CryptographicException e)
            {
                throw new ArgumentException("Not a P-256 SubjectPublicKeyInfo with a point on the curve.", nameof(subjectPublicKeyInfo), e);
            }

            if (first.KeySize != 256 || first.ExportParameters(false).Curve.Oid.Value != P256Oid)
            {
                first.Dispose();
                throw new ArgumentException("The public key is not on curve P-256.", nameof(subjectPublicKeyInfo));
            }

            _pool[0] = first;
        }

        public override SignatureAlgorithm Algorithm => SignatureAlgorithm.EcdsaP256Sha256;

        public override bool Verify(ReadOnlySpan<byte> signatureBase, ReadOnlySpan<byte> signature)
        {
            if (signature.Length != SignatureLength)
            {
                return false;
            }

            var ecdsa = Rent();
            try
            {
                return ecdsa.VerifyData(signatureBase, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
            catch (CryptographicException)
            {
                return false;
            }
            finally
            {
                Return(ecdsa);
            }
        }

        private static ECDsa Import(byte[] subjectPublicKeyInfo)
        {
            var ecdsa = ECDsa.Create();
            try
            {
                ecdsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
                if (read != subjectPublicKeyInfo.Length)
                {
                    throw new CryptographicException("Trailing data after the SubjectPublicKeyInfo.");
                }

                return ecdsa;
            }
            catch
            {
                ecdsa.Dispose();
                throw;
            }
        }

        private ECDsa Rent()
        {
            for (var i = 0; i < _pool.Length; i++)
            {
                if (Interlocked.Exchange(ref _pool[i], null) is { } pooled)
                {
                    return pooled;
                }
            }

            return Import(_subjectPublicKeyInfo);
        }

        private void Return(ECDsa ecdsa)
        {
            for (var i = 0; i < _pool.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _pool[i], ecdsa, null) is null)
                {
                    return;
                }
            }

            ecdsa.Dispose();
        }
    }

    private sealed class Ed25519Verifier : SignatureVerifier
    {
        private const int KeyLength = 32;
        private const int SignatureLength = 64;
        private readonly NSecPublicKey _publicKey;

        public Ed25519Verifier(ReadOnlySpan<byte> publicKey)
        {
            if (publicKey.Length != KeyLength)
            {
                throw new ArgumentException("An ed25519 public key is 32 bytes.", nameof(publicKey));
            }

            if (!NSecPublicKey.TryImport(Ed25519Algorithm.Ed25519, publicKey, NSecKeyBlobFormat.RawPublicKey, out var imported) || imported is null)
            {
                throw new ArgumentException("Not an ed25519 public key.", nameof(publicKey));
            }

            _publicKey = imported;
        }

        public override SignatureAlgorithm Algorithm => SignatureAlgorithm.Ed25519;

        public override bool Verify(ReadOnlySpan<byte> signatureBase, ReadOnlySpan<byte> signature)
            => signature.Length == SignatureLength && Ed25519Algorithm.Ed25519.Verify(_publicKey, signatureBase, signature);
    }
}
