using System.Text;

namespace Portal.Core.Signatures;

/// <summary>
/// The <c>@query-param</c> values of RFC 9421 section 2.2.8: the query parsed as WHATWG URL's
/// application/x-www-form-urlencoded parsing (section 5.1: split on '&amp;', '+' as space,
/// percent-decoded, UTF-8), each name and value then written back with "percent-encode after
/// encoding" and the application/x-www-form-urlencoded percent-encode set, space as <c>%20</c>.
/// </summary>
internal static class QueryParameters
{
    /// <summary>The encoded values of the parameters whose encoded name is <paramref name="encodedName"/>, in order.</summary>
    public static List<string> ValuesOf(string? query, string encodedName)
    {
        var values = new List<string>(1);
        if (string.IsNullOrEmpty(query))
        {
            return values;
        }

        foreach (var range in query.AsSpan().Split('&'))
        {
            var sequence = query.AsSpan(range);
            if (sequence.IsEmpty)
            {
                continue;
            }

            var equals = sequence.IndexOf('=');
            var name = equals < 0 ? sequence : sequence[..equals];
            var value = equals < 0 ? [] : sequence[(equals + 1)..];
            if (Encode(Decode(name)) == encodedName)
            {
                values.Add(Encode(Decode(value)));
            }
        }

        return values;
    }

    /// <summary>WHATWG URL percent-decode of the UTF-8 bytes, after '+' becomes a space; invalid escapes stay as they are.</summary>
    internal static string Decode(ReadOnlySpan<char> text)
    {
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var output = new byte[bytes.Length];
        var length = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == (byte)'+')
            {
                output[length++] = (byte)' ';
            }
            else if (b == (byte)'%' && i + 2 < bytes.Length && IsHex(bytes[i + 1]) && IsHex(bytes[i + 2]))
            {
                output[length++] = (byte)((HexValue(bytes[i + 1]) << 4) | HexValue(bytes[i + 2]));
                i += 2;
            }
            else
            {
                output[length++] = b;
            }
        }

        // UTF-8 decode without BOM, invalid sequences as U+FFFD, as WHATWG's "UTF-8 decode without BOM" does.
        return Encoding.UTF8.GetString(output, 0, length);
    }

    /// <summary>
    /// Percent-encodes the UTF-8 bytes of <paramref name="text"/>: everything but ASCII letters,
    /// digits, '*', '-', '.' and '_' becomes <c>%XX</c> (upper-case hex), space included.
    /// </summary>
    internal static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'*' or (byte)'-' or (byte)'.' or (byte)'_')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }

        return builder.ToString();
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);
}
