using System.Security.Cryptography;

namespace Portal.Core.Signatures;

/// <summary>The sha-256 and sha-512 digests a Content-Digest field carries; either may be absent, not both.</summary>
public readonly record struct ContentDigestValue(byte[]? Sha256, byte[]? Sha512);

/// <summary>
/// The <c>Content-Digest</c> field of RFC 9530: a dictionary of algorithm → byte sequence. Only
/// <c>sha-256</c> and <c>sha-512</c> are read (the algorithms RFC 9530 section 5 marks "Active");
/// other members are ignored, as section 2 lets a recipient do, and a field with neither is refused.
/// </summary>
public static class ContentDigest
{
    public const string Sha256 = "sha-256";
    public const string Sha512 = "sha-512";

    /// <summary>
    /// Reads a Content-Digest value. Refused, with a fixed reason: malformed structured fields, a
    /// key given twice, a sha-256 or sha-512 member that is not a byte sequence of 32 or 64 bytes,
    /// and a field with neither.
    /// </summary>
    public static bool TryParse(string? field, out ContentDigestValue digest, out string? error)
    {
        digest = default;
        if (!StructuredFields.TryParseDictionary(field, refuseDuplicateKeys: true, out var dictionary, out var parseError))
        {
            error = "content-digest is malformed: " + parseError;
            return false;
        }

        byte[]? sha256 = null, sha512 = null;
        if (dictionary.TryGetValue(Sha256, out var member))
        {
            sha256 = member.IsInnerList ? null : member.Item.Value.Bytes;
            if (sha256 is not { Length: SHA256.HashSizeInBytes })
            {
                error = "content-digest sha-256 is not a 32-byte byte sequence";
                return false;
            }
        }

        if (dictionary.TryGetValue(Sha512, out member))
        {
            sha512 = member.IsInnerList ? null : member.Item.Value.Bytes;
            if (sha512 is not { Length: SHA512.HashSizeInBytes })
            {
                error = "content-digest sha-512 is not a 64-byte byte sequence";
                return false;
            }
        }

        if (sha256 is null && sha512 is null)
        {
            error = "content-digest has no sha-256 or sha-512 member";
            return false;
        }

        digest = new ContentDigestValue(sha256, sha512);
        error = null;
        return true;
    }

    /// <summary>
    /// True when the signed <paramref name="contentDigestHeader"/> and the <paramref name="bodyDigest"/>
    /// the application computed (same syntax) share at least one algorithm and agree on every
    /// algorithm they share; compared in constant time. False when either cannot be read.
    /// </summary>
    public static bool Matches(string? contentDigestHeader, string? bodyDigest)
    {
        if (!TryParse(contentDigestHeader, out var signed, out _) || !TryParse(bodyDigest, out var computed, out _))
        {
            return false;
        }

        var shared = 0;
        var agree = true;
        if (signed.Sha256 is not null && computed.Sha256 is not null)
        {
            shared++;
            agree &= CryptographicOperations.FixedTimeEquals(signed.Sha256, computed.Sha256);
        }

        if (signed.Sha512 is not null && computed.Sha512 is not null)
        {
            shared++;
            agree &= CryptographicOperations.FixedTimeEquals(signed.Sha512, computed.Sha512);
        }

        return shared > 0 && agree;
    }

    /// <summary>True when <paramref name="contentDigestHeader"/> is a valid Content-Digest and every sha-256/sha-512 member it has is the digest of <paramref name="body"/>.</summary>
    public static bool MatchesBody(string? contentDigestHeader, ReadOnlySpan<byte> body)
    {
        if (!TryParse(contentDigestHeader, out var signed, out _))
        {
            return false;
        }

        var agree = true;
        if (signed.Sha256 is not null)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(body, hash);
            agree &= CryptographicOperations.FixedTimeEquals(hash, signed.Sha256);
        }

        if (signed.Sha512 is not null)
        {
            Span<byte> hash = stackalloc byte[SHA512.HashSizeInBytes];
            SHA512.HashData(body, hash);
            agree &= CryptographicOperations.FixedTimeEquals(hash, signed.Sha512);
        }

        return agree;
    }

    /// <summary>The Content-Digest member for <paramref name="body"/>, e.g. <c>sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> is not "sha-256" or "sha-512".</exception>
    public static string Compute(ReadOnlySpan<byte> body, string algorithm = Sha256)
    {
        Span<byte> hash = stackalloc byte[SHA512.HashSizeInBytes];
        switch (algorithm)
        {
            case Sha256:
                hash = hash[..SHA256.HashData(body, hash)];
                break;
            case Sha512:
                SHA512.HashData(body, hash);
                break;
            default:
                throw new ArgumentException("The digest algorithm is sha-256 or sha-512.", nameof(algorithm));
        }

        return string.Concat(algorithm, "=:", Convert.ToBase64String(hash), ":");
    }
}
