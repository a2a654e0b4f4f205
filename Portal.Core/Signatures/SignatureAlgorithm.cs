namespace Portal.Core.Signatures;

/// <summary>The RFC 9421 section 3.3 algorithms a signing credential can use.</summary>
public enum SignatureAlgorithm
{
    /// <summary><c>hmac-sha256</c> (RFC 9421 section 3.3.3): a shared secret.</summary>
    HmacSha256,

    /// <summary><c>ecdsa-p256-sha256</c> (RFC 9421 section 3.3.4): ECDSA on P-256 with SHA-256, r‖s signatures.</summary>
    EcdsaP256Sha256,

    /// <summary><c>ed25519</c> (RFC 9421 section 3.3.6): EdDSA on edwards25519 (RFC 8032).</summary>
    Ed25519,
}

/// <summary>The registered names of <see cref="SignatureAlgorithm"/> (the <c>alg</c> parameter, RFC 9421 section 6.2).</summary>
public static class SignatureAlgorithms
{
    public const string HmacSha256Name = "hmac-sha256";
    public const string EcdsaP256Sha256Name = "ecdsa-p256-sha256";
    public const string Ed25519Name = "ed25519";

    /// <summary>The algorithm's registered name.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="SignatureAlgorithm"/>.</exception>
    public static string Name(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.HmacSha256 => HmacSha256Name,
        SignatureAlgorithm.EcdsaP256Sha256 => EcdsaP256Sha256Name,
        SignatureAlgorithm.Ed25519 => Ed25519Name,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Reads a registered name, exactly (lower case, as registered); anything else is false.</summary>
    public static bool TryParse(string? name, out SignatureAlgorithm algorithm)
    {
        switch (name)
        {
            case HmacSha256Name:
                algorithm = SignatureAlgorithm.HmacSha256;
                return true;
            case EcdsaP256Sha256Name:
                algorithm = SignatureAlgorithm.EcdsaP256Sha256;
                return true;
            case Ed25519Name:
                algorithm = SignatureAlgorithm.Ed25519;
                return true;
            default:
                algorithm = default;
                return false;
        }
    }
}
