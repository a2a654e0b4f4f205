using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Portal.Core.TwoFactor;

/// <summary>
/// TOTP as authenticator apps compute it (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps
/// from the Unix epoch, 6 digits; keys in RFC 4648 base32, as Identity generates and the otpauth link carries them.
/// </summary>
public static class Totp
{
    public const int StepSeconds = 30;
    public const int Digits = 6;

    /// <summary>The time step a moment falls in: whole 30-second periods since 1970-01-01T00:00:00Z.</summary>
    public static long StepAt(DateTimeOffset moment) => moment.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The 6-digit code of a step, zero-padded (RFC 4226 §5.3 dynamic truncation).</summary>
    public static string Code(ReadOnlySpan<byte> key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(key, counter, hash);
        var offset = hash[^1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7FFFFFFF;
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Decodes RFC 4648 base32 (case-insensitive; spaces, hyphens and '=' padding ignored). Null when the text is not base32.</summary>
    public static byte[]? FromBase32(string text)
    {
        var bits = 0;
        var buffer = 0;
        var bytes = new List<byte>(text.Length * 5 / 8);
        foreach (var c in text)
        {
            int value;
            if (c is >= 'A' and <= 'Z')
            {
                value = c - 'A';
            }
            else if (c is >= 'a' and <= 'z')
            {
                value = c - 'a';
            }
            else if (c is >= '2' and <= '7')
            {
                value = c - '2' + 26;
            }
            else if (c is ' ' or '-' or '=')
            {
                continue;
            }
            else
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return bytes.Count == 0 ? null : [.. bytes];
    }

    /// <summary>
    /// The step within <paramref name="window"/> steps either side of <paramref name="now"/>'s whose
    /// code is <paramref name="code"/>, or null. Every candidate is computed and compared in fixed
    /// time, so the answer's timing does not say which step matched.
    /// </summary>
    public static long? MatchStep(ReadOnlySpan<byte> key, string code, DateTimeOffset now, int window)
    {
        if (code.Length != Digits || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var given = System.Text.Encoding.ASCII.GetBytes(code);
        var current = StepAt(now);
        long? matched = null;
        for (var step = current - window; step <= current + window; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(given, System.Text.Encoding.ASCII.GetBytes(Code(key, step))) && matched is null)
            {
                matched = step;
            }
        }

        return matched;
    }
}
