using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Portal.Core.Leaks;

/// <summary>The outcome of checking a leak report's signature.</summary>
public enum LeakSignatureCheck
{
    /// <summary>The signature verifies over the body with the named key.</summary>
    Valid,

    /// <summary>The key identifier names no configured key.</summary>
    UnknownKey,

    /// <summary>The signature is not base64.</summary>
    Malformed,

    /// <summary>The signature does not verify over the body with the named key.</summary>
    Invalid,
}

/// <summary>
/// Verifies leak reports as GitHub's secret scanning partner program signs them: the
/// <c>Github-Public-Key-Signature</c> header is the base64 of an ASN.1 DER ECDSA signature
/// (RFC 3279 <c>Ecdsa-Sig-Value</c>) over the SHA-256 of the raw body bytes, made with the P-256 key
/// that <c>Github-Public-Key-Identifier</c> names. The keys come from <see cref="LeakReportOptions"/>.
/// </summary>
public sealed class LeakReportSignatures
{
    /// <summary>The longest signature header read: a DER P-256 signature is at most 72 bytes (96 base64 characters).</summary>
    public const int MaxSignatureLength = 200;

    private static readonly string P256 = ECCurve.NamedCurves.nistP256.Oid.Value!;

    // SubjectPublicKeyInfo bytes by identifier: an ECDsa is made per check, since one instance is
    // not documented as safe to verify with from several threads at once.
    private readonly Dictionary<string, byte[]> _keys;

    public LeakReportSignatures(IOptions<LeakReportOptions> options)
    {
        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in options.Value.PublicKeys)
        {
            if (TryReadPublicKey(key.PublicKeyPem, out var spki, out _))
            {
                _keys[key.KeyIdentifier] = spki;
            }
        }
    }

    /// <summary>Whether any verifying key is configured (the endpoint answers 404 otherwise).</summary>
    public bool IsConfigured => _keys.Count > 0;

    public LeakSignatureCheck Verify(string keyIdentifier, string signature, ReadOnlySpan<byte> body)
    {
        if (!_keys.TryGetValue(keyIdentifier, out var spki))
        {
            return LeakSignatureCheck.UnknownKey;
        }

        var der = new byte[signature.Length];
        if (signature.Length > MaxSignatureLength || !Convert.TryFromBase64String(signature, der, out var length))
        {
            return LeakSignatureCheck.Malformed;
        }

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
        try
        {
            return ecdsa.VerifyData(body, der.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
                ? LeakSignatureCheck.Valid
                : LeakSignatureCheck.Invalid;
        }
        catch (CryptographicException)
        {
            // DER that does not decode is a signature that does not verify.
            return LeakSignatureCheck.Invalid;
        }
    }

    /// <summary>
    /// Reads a PEM <c>PUBLIC KEY</c> holding an ECDSA P-256 key. On failure <paramref name="error"/>
    /// says what is wrong, in words that follow the setting's name.
    /// </summary>
    public static bool TryReadPublicKey(string? pem, out byte[] subjectPublicKeyInfo, out string error)
    {
        subjectPublicKeyInfo = [];
        if (string.IsNullOrWhiteSpace(pem) || !PemEncoding.TryFind(pem, out var fields))
        {
            error = "is not PEM (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----).";
            return false;
        }

        var label = pem.AsSpan()[fields.Label];
        if (!label.SequenceEqual("PUBLIC KEY"))
        {
            error = $"must be a PUBLIC KEY, not a {label}: the verifying side never holds a private key.";
            return false;
        }

        try
        {
            var der = Convert.FromBase64String(pem[fields.Base64Data]);
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(der, out _);
            var curve = ecdsa.ExportParameters(false).Curve;
            if (!curve.IsNamed || (curve.Oid.Value != P256 && curve.Oid.FriendlyName is not ("nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1")))
            {
                error = "must be an ECDSA key on the P-256 curve.";
                return false;
            }

            subjectPublicKeyInfo = der;
            error = "";
            return true;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            error = "is not an ECDSA P-256 public key.";
            return false;
        }
    }
}
