using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Keys;

namespace Portal.Account;

/// <summary>
/// How two-factor recovery codes are stored: <c>hmac1:v{pepper version}:</c> followed by one
/// base64url <c>HMAC-SHA256(K_v, user id ‖ code)</c> per code, separated by <c>;</c>, where
/// <c>K_v = HMAC-SHA256(pepper_v, "Portal.Account.RecoveryCodes")</c> keeps these hashes apart from
/// API key hashes made with the same pepper.
/// </summary>
/// <remarks>
/// Why a keyed hash and not SHA-256 with a per-user salt: Identity's codes are 10 characters from
/// a 26-letter alphabet, about 47 bits. That is far beyond guessing online, but a salted SHA-256
/// of one would fall offline to a GPU within hours, and a user holds ten codes under one salt.
/// Keyed with the pepper, which is never in the database, a copy of the database gives nothing to
/// test guesses against, and checking a code costs one HMAC instead of a slow hash. The user's id in
/// the input means a hash copied onto another account does not redeem there.
/// </remarks>
public sealed class RecoveryCodeHashes
{
    /// <summary>Marks a hashed set. Identity's clear codes (letters, digits and '-') never contain ':'.</summary>
    public const string Prefix = "hmac1:";

    private const char Separator = ';';
    private static readonly byte[] Label = "Portal.Account.RecoveryCodes"u8.ToArray();

    private readonly Dictionary<int, byte[]> _keys;
    private readonly int _currentVersion;

    /// <param name="peppers">The installation's peppers: new sets are hashed under the current version, older sets keep redeeming under theirs.</param>
    public RecoveryCodeHashes(PepperRing peppers)
    {
        _keys = peppers.Versions.ToDictionary(v => v, v => HMACSHA256.HashData(peppers[v], Label));
        _currentVersion = peppers.CurrentVersion;
    }

    /// <summary>Whether <paramref name="stored"/> is a hashed set; anything else is clear codes stored by an earlier version.</summary>
    public static bool IsHashed(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The stored form of <paramref name="codes"/> for the user, hashed under the current pepper.</summary>
    public string Hash(Guid userId, IEnumerable<string> codes)
    {
        var key = _keys[_currentVersion];
        return Format(_currentVersion, codes.Select(code => HashOf(key, userId, code)));
    }

    /// <summary>The hashed form of a clear set stored by an earlier version (codes separated by <c>;</c>).</summary>
    public string HashClearSet(Guid userId, string clearSet) => Hash(userId, Split(clearSet));

    /// <summary>
    /// How many codes the stored set still holds. A set hashed under a pepper version that is no
    /// longer configured counts 0: none of its codes can be checked any more.
    /// </summary>
    public int Count(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return 0;
        }

        if (!IsHashed(stored))
        {
            return Split(stored).Length;
        }

        return TryParse(stored, out var version, out var hashes) && _keys.ContainsKey(version) ? hashes.Length : 0;
    }

    /// <summary>
    /// Checks <paramref name="code"/> against every stored code in constant time (no early exit, so the
    /// time taken says neither whether nor where it matched) and, when one matches, returns the set
    /// without it, hashed. A legacy clear set is hashed on the way, so it redeems once and is then
    /// gone in clear. Returns null when no code matches.
    /// </summary>
    public string? Redeem(Guid userId, string? stored, string code)
    {
        if (string.IsNullOrEmpty(stored) || string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        int version;
        byte[][] hashes;
        if (IsHashed(stored))
        {
            if (!TryParse(stored, out version, out var encoded) || !_keys.ContainsKey(version))
            {
                return null;
            }

            hashes = [.. encoded.Select(DecodeOrEmpty)];
        }
        else
        {
            version = _currentVersion;
            hashes = [.. Split(stored).Select(clear => HashOf(_keys[version], userId, clear))];
        }

        var candidate = HashOf(_keys[version], userId, code);
        var match = -1;
        for (var i = 0; i < hashes.Length; i++)
        {
            var equal = CryptographicOperations.FixedTimeEquals(candidate, hashes[i]);
            match = equal ? i : match;
        }

        return match < 0 ? null : Format(version, hashes.Where((_, i) => i != match));
    }

    private static byte[] HashOf(byte[] key, Guid userId, string code)
    {
        // Codes are upper case letters and digits: reading them case-blind costs no entropy and
        // forgives a phone keyboard that capitalised nothing.
        var normalized = code.Trim().ToUpperInvariant();
        var input = new byte[16 + Encoding.UTF8.GetByteCount(normalized)];
        userId.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(normalized, input.AsSpan(16));
        return HMACSHA256.HashData(key, input);
    }

    private static string Format(int version, IEnumerable<byte[]> hashes) =>
        $"{Prefix}v{version.ToString(CultureInfo.InvariantCulture)}:{string.Join(Separator, hashes.Select(Base64Url))}";

    private static bool TryParse(string stored, out int version, out string[] hashes)
    {
        var rest = stored.AsSpan(Prefix.Length);
        var colon = rest.IndexOf(':');
        hashes = [];
        if (colon < 2 || rest[0] != 'v'
            || !int.TryParse(rest[1..colon], NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            version = 0;
            return false;
        }

        hashes = Split(rest[(colon + 1)..].ToString());
        return true;
    }

    private static string[] Split(string value) => value.Split(Separator, StringSplitOptions.RemoveEmptyEntries);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // A damaged entry matches nothing rather than failing every redemption of the set.
    private static byte[] DecodeOrEmpty(string value)
    {
        var base64 = value.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? bytes[..written] : [];
    }
}
