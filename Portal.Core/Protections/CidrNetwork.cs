using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Portal.Core.Protections;

/// <summary>
/// One IPv4 or IPv6 network (RFC 4632 / RFC 4291 CIDR) as the inclusive range of numbers it covers,
/// with host bits cleared. IPv4 numbers sit in the low 32 bits of <see cref="Start"/> and <see cref="End"/>.
/// </summary>
internal readonly record struct CidrNetwork(bool IsV6, byte Prefix, UInt128 Start, UInt128 End)
{
    // The longest network text there is: eight groups with an embedded IPv4 address and "/128"
    // ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" is 49 characters). Anything longer is
    // refused before a parser sees it.
    private const int MaxLength = 49;

    private const string Example = "e.g. 203.0.113.0/24 or 2001:db8::/32";

    public bool Overlaps(in CidrNetwork other) => IsV6 == other.IsV6 && Start <= other.End && other.Start <= End;

    public bool Covers(in CidrNetwork other) => IsV6 == other.IsV6 && Start <= other.Start && other.End <= End;

    /// <summary>
    /// Parses <c>address/prefix</c> or a bare address (one host). IPv4 must be four decimal parts of
    /// 0 to 255 without leading zeros (<see cref="IPAddress.TryParse(string, out IPAddress)"/> would take
    /// <c>1.2.3</c> and read <c>010</c> as octal); IPv6 is what RFC 4291 section 2.2 allows, without
    /// brackets, ports or a zone id. <paramref name="problem"/> is a sentence for a person.
    /// </summary>
    public static bool TryParse(string? text, out CidrNetwork network, out string problem)
    {
        network = default;
        problem = "";
        if (string.IsNullOrEmpty(text))
        {
            problem = "An entry cannot be empty: give an address or a CIDR network, " + Example + ".";
            return false;
        }

        if (text.Contains('%'))
        {
            problem = $"'{Shorten(text)}' names a zone (after '%'); a network cannot carry one.";
            return false;
        }

        if (text.Length > MaxLength)
        {
            return NotANetwork(text, out problem);
        }

        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        var isV6 = addressText.Contains(':');
        UInt128 value;
        if (isV6)
        {
            if (!TryParseV6(addressText, out value, out var leadingZero))
            {
                return leadingZero ? LeadingZero(text, out problem) : NotANetwork(text, out problem);
            }
        }
        else
        {
            if (!TryParseV4(addressText, out var v4, out var leadingZero))
            {
                return leadingZero ? LeadingZero(text, out problem) : NotANetwork(text, out problem);
            }

            value = v4;
        }

        var bits = isV6 ? 128 : 32;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text.AsSpan(slash + 1);
            if (prefixText.Length is 0 or > 3 || !IsDigits(prefixText))
            {
                return NotANetwork(text, out problem);
            }

            if (prefixText.Length > 1 && prefixText[0] == '0')
            {
                return LeadingZero(text, out problem);
            }

            prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (prefix > bits)
            {
                problem = $"'{Shorten(text)}' has a prefix length of {prefix}; an {(isV6 ? "IPv6" : "IPv4")} network's is 0 to {bits}.";
                return false;
            }
        }

        var hostBits = isV6
            ? (prefix == 0 ? UInt128.MaxValue : (UInt128.One << (128 - prefix)) - 1)
            : (prefix == 0 ? uint.MaxValue : (1u << (32 - prefix)) - 1);
        var start = value & ~hostBits;
        if (isV6)
        {
            // ::ffff:0:0/96 holds the IPv4 addresses mapped into IPv6 (RFC 4291 section 2.5.5.2). Client
            // addresses of that form are compared as IPv4, so such a network is kept as the IPv4 one it means.
            if (prefix >= 96 && start >> 32 == (UInt128)0xFFFFu)
            {
                var v4Host = prefix == 96 ? uint.MaxValue : (1u << (128 - prefix)) - 1;
                network = new CidrNetwork(false, (byte)(prefix - 96), (uint)start, (uint)start | v4Host);
                return true;
            }

            network = new CidrNetwork(true, (byte)prefix, start, start | hostBits);
            return true;
        }

        network = new CidrNetwork(false, (byte)prefix, start, start | hostBits);
        return true;
    }

    /// <summary>The network's normal text: <c>203.0.113.0/24</c>; IPv6 lower case with the longest run of zero groups compressed (RFC 5952 section 4).</summary>
    public override string ToString() =>
        (IsV6 ? FormatV6(Start) : FormatV4((uint)Start)) + "/" + Prefix.ToString(CultureInfo.InvariantCulture);

    private static bool TryParseV4(ReadOnlySpan<char> text, out uint value, out bool leadingZero)
    {
        value = 0;
        leadingZero = false;
        var parts = 0;
        while (true)
        {
            var end = text.IndexOf('.');
            var part = end < 0 ? text : text[..end];
            if (part.Length is 0 or > 3 || !IsDigits(part))
            {
                return false;
            }

            if (part.Length > 1 && part[0] == '0')
            {
                leadingZero = true;
                return false;
            }

            var number = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (number > 255 || ++parts > 4)
            {
                return false;
            }

            value = (value << 8) | (uint)number;
            if (end < 0)
            {
                return parts == 4;
            }

            text = text[(end + 1)..];
        }
    }

    private static bool TryParseV6(ReadOnlySpan<char> text, out UInt128 value, out bool leadingZero)
    {
        value = 0;
        leadingZero = false;
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.')
            {
                return false;
            }
        }

        // An embedded IPv4 address (::ffff:203.0.113.7) is held to the same rules as a plain one.
        if (text.Contains('.') && !TryParseV4(text[(text.LastIndexOf(':') + 1)..], out _, out leadingZero))
        {
            return false;
        }

        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }

    private static string FormatV4(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}");

    private static string FormatV6(UInt128 value)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = (ushort)(value >> (112 - 16 * i));
        }

        // RFC 5952 section 4.2: "::" replaces the longest run of two or more zero groups, the first
        // one when runs tie; a single zero group is written as 0.
        int bestStart = -1, bestLength = 1;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }

            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }

            i = j;
        }

        var builder = new System.Text.StringBuilder(39);
        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                builder.Append("::");
                i += bestLength - 1;
                continue;
            }

            if (builder.Length > 0 && builder[^1] != ':')
            {
                builder.Append(':');
            }

            builder.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    private static bool NotANetwork(string text, out string problem)
    {
        problem = $"'{Shorten(text)}' is not an IPv4 or IPv6 address or CIDR network, {Example}.";
        return false;
    }

    private static bool LeadingZero(string text, out string problem)
    {
        problem = $"'{Shorten(text)}' has a number with a leading zero, which some tools read as octal; write it without.";
        return false;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
