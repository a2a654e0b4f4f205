using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Keys;

/// <summary>
/// The key token format: <c>&lt;prefix&gt;_&lt;32 base62 random&gt;&lt;6 base62 CRC-32 of everything before&gt;</c>.
/// Parsing never allocates and never touches storage, so garbage is rejected for the cost of a CRC.
/// </summary>
public static class ApiKeyToken
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const int RandomLength = 32;
    public const int ChecksumLength = 6;
    public const int MaxPrefixLength = 24;

    /// <summary>The longest well-formed token: a longer input is rejected before any work.</summary>
    public const int MaxLength = MaxPrefixLength + 1 + RandomLength + ChecksumLength;

    public const string PrefixPattern = "^[a-z][a-z0-9_]{0,23}$";

    /// <summary>Creates a new token with the given prefix from <see cref="RandomNumberGenerator"/>.</summary>
    public static string Generate(string prefix)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"Prefix '{prefix}' does not match {PrefixPattern}.", nameof(prefix));
        }

        var length = prefix.Length + 1 + RandomLength + ChecksumLength;
        return string.Create(length, prefix, static (span, prefix) =>
        {
            prefix.AsSpan().CopyTo(span);
            span[prefix.Length] = '_';
            var body = span.Slice(prefix.Length + 1, RandomLength);
            RandomNumberGenerator.GetItems(Alphabet.AsSpan(), body);
            var signed = span[..(prefix.Length + 1 + RandomLength)];
            WriteChecksum(Crc32(signed), span[^ChecksumLength..]);
        });
    }

    /// <summary>
    /// Checks the shape and the checksum. On success <paramref name="prefix"/> is the token's prefix
    /// (a slice of the input, no copy).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> token, out ReadOnlySpan<char> prefix)
    {
        prefix = default;
        const int tail = RandomLength + ChecksumLength;
        if (token.Length < 2 + tail || token.Length > MaxLength)
        {
            return false;
        }

        var separator = token.Length - tail - 1;
        if (token[separator] != '_')
        {
            return false;
        }

        var candidatePrefix = token[..separator];
        if (!IsValidPrefix(candidatePrefix))
        {
            return false;
        }

        var body = token[(separator + 1)..];
        foreach (var c in body)
        {
            if (Base62Value(c) < 0)
            {
                return false;
            }
        }

        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(Crc32(token[..^ChecksumLength]), expected);
        if (!expected.SequenceEqual(token[^ChecksumLength..]))
        {
            return false;
        }

        prefix = candidatePrefix;
        return true;
    }

    public static bool IsValidPrefix(ReadOnlySpan<char> prefix)
    {
        if (prefix.Length is 0 or > MaxPrefixLength || prefix[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in prefix[1..])
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What a person may see of a token: its prefix, the first four random characters and its last four characters.</summary>
    /// <remarks>Built in place: the authentication log takes one per request.</remarks>
    public static string Hint(string token)
    {
        var separator = token.Length - RandomLength - ChecksumLength - 1;
        return string.Create(separator + 10, token, static (hint, token) =>
        {
            var body = token.AsSpan(token.Length - RandomLength - ChecksumLength);
            token.AsSpan(0, hint.Length - 10).CopyTo(hint);
            hint[^10] = '_';
            body[..4].CopyTo(hint[^9..]);
            hint[^5] = '…';
            body[^4..].CopyTo(hint[^4..]);
        });
    }

    /// <summary>Whether <paramref name="hint"/> is what <see cref="Hint"/> gives for <paramref name="token"/>, without building it.</summary>
    public static bool IsHintOf(string hint, string token)
    {
        var separator = token.Length - RandomLength - ChecksumLength - 1;
        if (hint.Length != separator + 10)
        {
            return false;
        }

        var body = token.AsSpan(separator + 1);
        return hint.AsSpan(0, separator).SequenceEqual(token.AsSpan(0, separator))
            && hint[separator] == '_'
            && hint.AsSpan(separator + 1, 4).SequenceEqual(body[..4])
            && hint[^5] == '…'
            && hint.AsSpan(hint.Length - 4).SequenceEqual(body[^4..]);
    }

    /// <summary>CRC-32 (IEEE 802.3, as zlib) of the UTF-8 bytes; tokens are ASCII so each char is one byte.</summary>
    internal static uint Crc32(ReadOnlySpan<char> ascii)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var c in ascii)
        {
            crc = Table[(int)((crc ^ (byte)c) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>Used where the input may hold non-ASCII text (tests, tools).</summary>
    internal static uint Crc32Utf8(string text)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            crc = Table[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    internal static void WriteChecksum(uint value, Span<char> destination)
    {
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Base62Value(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        >= 'a' and <= 'z' => c - 'a' + 36,
        _ => -1,
    };

    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
