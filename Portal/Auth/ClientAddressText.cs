using System.Net;
using System.Net.Sockets;

namespace Portal.Auth;

/// <summary>
/// A client address a caller names (verify's <c>clientIp</c>) in the one form the product keeps:
/// IPv4 in dotted decimal, IPv6 in its RFC 5952 text, an IPv4-mapped IPv6 address as IPv4.
/// </summary>
public static class ClientAddressText
{
    /// <summary>The longest text form of an address (an IPv6 address with an embedded IPv4 one).</summary>
    public const int MaxLength = 45;

    /// <summary>
    /// The normalised text of <paramref name="text"/>, or null when it is not plainly an address:
    /// the shorthand, octal and hexadecimal IPv4 forms that parsers accept (<c>1</c>, <c>0x7f.1</c>,
    /// <c>010.1.1.1</c>) and IPv6 zone ids (<c>fe80::1%eth0</c>) are refused, since what they mean
    /// differs between readers, and so are brackets (<c>[::1]</c> is a URL's spelling, not an address).
    /// </summary>
    public static string? Normalize(string text)
    {
        if (text.Length is 0 or > MaxLength || text.AsSpan().IndexOfAny("%[]") >= 0 || !IPAddress.TryParse(text, out var address))
        {
            return null;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            // Only four decimal parts without leading zeros read back as written.
            return address.ToString() == text ? text : null;
        }

        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
    }
}
