using System.Security.Cryptography;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// The code an authenticator app shows: RFC 6238 with ASP.NET Core Identity's defaults (SHA-1,
/// 30-second steps, 6 digits) from the base32 key the two-factor page shows.
/// </summary>
public static class Totp
{
    /// <summary>
    /// The code for the current 30-second step, or the one <paramref name="stepOffset"/> steps later (a
    /// code is accepted once, so a second sign-in takes the next step's); <paramref name="base32Key"/> may contain spaces.
    /// </summary>
    public static string Code(string base32Key, int stepOffset = 0)
    {
        var step = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) + stepOffset;
        var counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }

        var hash = HMACSHA1.HashData(Base32(base32Key.Replace(" ", "", StringComparison.Ordinal)), counter);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string value)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var buffer = 0;
        var bytes = new List<byte>();
        foreach (var c in value.ToUpperInvariant().TrimEnd('='))
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
