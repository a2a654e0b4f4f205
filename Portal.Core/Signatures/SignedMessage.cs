using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Portal.Core.Signatures;

/// <summary>
/// What a door knows about the request being decided, as RFC 9421 derived components and fields
/// need it: the original method, authority, canonical path and raw query (from the request itself
/// or from what the gateway forwards), the original request's headers, and the signature fields.
/// Immutable once built.
/// </summary>
public sealed class SignedMessage
{
    /// <summary>The method, upper case as sent (<c>@method</c>, RFC 9421 section 2.2.1).</summary>
    public required string Method { get; init; }

    /// <summary>
    /// <c>host[:port]</c>, lower case, without the scheme's default port (<c>@authority</c>, RFC 9421
    /// section 2.2.3); see <see cref="NormalizeAuthority(string?, string)"/>.
    /// </summary>
    public required string Authority { get; init; }

    /// <summary>The canonical path the endpoint rules see (<c>@path</c>, section 2.2.6); "/" when empty.</summary>
    public required string Path { get; init; }

    /// <summary>The query as sent, without the leading '?'; null when the request has none (<c>@query</c>, section 2.2.7).</summary>
    public string? Query { get; init; }

    /// <summary>The original request's header fields, read by lower-case name for covered fields.</summary>
    public required IHeaderDictionary Headers { get; init; }

    /// <summary>The <c>Signature-Input</c> field value (lines sent twice joined with ", "); null when absent.</summary>
    public string? SignatureInput { get; init; }

    /// <summary>The <c>Signature</c> field value (lines sent twice joined with ", "); null when absent.</summary>
    public string? Signature { get; init; }

    /// <summary>True when the request has content, so <c>content-digest</c> must be covered.</summary>
    public bool HasBody { get; init; }

    /// <summary>
    /// Optional: a digest of the body the calling application received, as a Content-Digest
    /// dictionary (<c>sha-256=:…:</c> or <c>sha-512=:…:</c>, RFC 9530). When given, the signed
    /// <c>Content-Digest</c> must agree with it.
    /// </summary>
    public string? BodyDigest { get; init; }

    /// <summary>The scheme for <c>@scheme</c> and <c>@target-uri</c>, lower case; "https" by default.</summary>
    public string Scheme { get; init; } = "https";

    /// <summary>A response's status code for <c>@status</c> (section 2.2.9); null for requests.</summary>
    public int? Status { get; init; }

    /// <summary>A field's lines joined with ", " as HTTP combines them (RFC 9110 section 5.3); null when absent.</summary>
    public static string? JoinFieldValues(StringValues values) => values.Count switch
    {
        0 => null,
        1 => values[0],
        _ => string.Join(", ", values.ToArray()),
    };

    /// <summary>
    /// <paramref name="authority"/> normalised for <c>@authority</c> with the https default port:
    /// see <see cref="NormalizeAuthority(string?, string)"/>.
    /// </summary>
    public static string? NormalizeAuthority(string? authority) => NormalizeAuthority(authority, "https");

    /// <summary>
    /// <c>host[:port]</c> as RFC 9110 section 4.2.3 normalises it: the host lower case, the
    /// <paramref name="scheme"/>'s default port (443 for https, 80 for http) removed. Null for anything
    /// that is not an authority this product accepts: a DNS-style name (letters, digits, '-', '_',
    /// '.', no empty label), an IPv4 address or a bracketed IPv6 address without zone, and an
    /// optional port of 1 to 65535; user info, an empty port and over-long names are refused.
    /// </summary>
    public static string? NormalizeAuthority(string? authority, string scheme)
    {
        if (string.IsNullOrEmpty(authority) || authority.Length > 261)
        {
            return null;
        }

        var text = authority.AsSpan();
        ReadOnlySpan<char> host;
        ReadOnlySpan<char> port = default;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 0 || !IPAddress.TryParse(text[1..close], out var address)
                || address.AddressFamily != AddressFamily.InterNetworkV6 || text[1..close].Contains('%'))
            {
                return null;
            }

            host = text[..(close + 1)];
            var rest = text[(close + 1)..];
            if (!rest.IsEmpty)
            {
                if (rest[0] != ':')
                {
                    return null;
                }

                port = rest[1..];
                if (port.IsEmpty)
                {
                    return null;
                }
            }
        }
        else
        {
            var colon = text.IndexOf(':');
            host = colon < 0 ? text : text[..colon];
            if (colon >= 0)
            {
                port = text[(colon + 1)..];
                if (port.IsEmpty)
                {
                    return null;
                }
            }

            if (!IsHostName(host))
            {
                return null;
            }
        }

        var portNumber = 0;
        if (!port.IsEmpty)
        {
            if (port.Length > 5)
            {
                return null;
            }

            foreach (var c in port)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return null;
                }

                portNumber = (portNumber * 10) + (c - '0');
            }

            if (portNumber is < 1 or > 65535)
            {
                return null;
            }
        }

        var defaultPort = scheme switch
        {
            "https" => 443,
            "http" => 80,
            _ => -1,
        };
        var keepPort = !port.IsEmpty && portNumber != defaultPort;
        var keepsLength = keepPort || port.IsEmpty;
        if (keepsLength && !ContainsUpper(host) && (port.IsEmpty || port[0] != '0'))
        {
            return authority;
        }

        var lower = host.ToString().ToLowerInvariant();
        return keepPort ? string.Concat(lower, ":", portNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)) : lower;
    }

    private static bool IsHostName(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty || host.Length > 253 || host[0] == '.' || host[^1] == '.')
        {
            return false;
        }

        var previous = '.';
        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || (c == '.' && previous == '.'))
            {
                return false;
            }

            previous = c;
        }

        return true;
    }

    private static bool ContainsUpper(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return true;
            }
        }

        return false;
    }
}
