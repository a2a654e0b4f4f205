namespace Portal.Core.Apis;

/// <summary>
/// The one canonical form of a request's target, the form an upstream acts on, used by the
/// endpoint rules, the test-access tool, verify's <c>path</c>, the authentication log and usage.
/// Percent-encoded unreserved characters (RFC 3986 §2.3: <c>A-Z a-z 0-9 - . _ ~</c>) are decoded
/// and other escapes written with upper-case hex (§6.2.2). Anything an upstream could read as
/// another path is refused rather than guessed at: dot segments in any spelling, empty segments
/// (a single trailing slash aside), segments ending in a dot or an encoded space, <c>;</c>
/// parameters, backslashes, characters that normalise to a dot, slash, backslash or percent,
/// encoded <c>/</c> <c>\</c> <c>%</c>, control characters and NUL, raw non-ASCII, and escapes that
/// are not valid UTF-8 (overlong forms and surrogates included). The query string is dropped: it
/// never takes part in matching and is never stored.
/// </summary>
public static class RequestTarget
{
    /// <summary>The longest path (before the query) that is decided; longer ones are refused.</summary>
    public const int MaxPathLength = 4096;

    public const int MaxMethodLength = 16;

    /// <summary>Headers that ask some frameworks to run another method than the request's; refused when endpoint rules decide.</summary>
    public static readonly IReadOnlyList<string> MethodOverrideHeaders = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    /// <summary>The query parameter some frameworks (Express method-override, Rails and Laravel forms) read as the method to run.</summary>
    public const string MethodOverrideParameter = "_method";

    [ThreadStatic]
    private static LastPath? t_last;

    /// <summary>
    /// Code points an upstream applying Unicode compatibility normalisation (NFKC) turns into text
    /// holding '.', '/', '\\' or '%' (one-dot leaders, ellipses, fullwidth and small forms, "1." and
    /// similar enclosed numbers, "a/c" and "c/o" symbols, vulgar fractions), or into one of the
    /// other characters listed here; the ideographic and halfwidth full stops (URL parsers map them
    /// to '.' in host names); the fraction, division and big slashes some servers fold to '/'; and
    /// the spaces NFKC turns into ' ' (a server that strips trailing spaces would strip them).
    /// Sorted, for a binary search; refused like their ASCII twins.
    /// </summary>
    public static readonly int[] SeparatorLookalikes =
    [
        0x00A0, 0x00BC, 0x00BD, 0x00BE, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
        0x2008, 0x2009, 0x200A, 0x2024, 0x2025, 0x2026, 0x202F, 0x2044, 0x205F, 0x2100, 0x2101, 0x2105,
        0x2106, 0x2150, 0x2151, 0x2152, 0x2153, 0x2154, 0x2155, 0x2156, 0x2157, 0x2158, 0x2159, 0x215A,
        0x215B, 0x215C, 0x215D, 0x215E, 0x215F, 0x2189, 0x2215, 0x2216, 0x2488, 0x2489, 0x248A, 0x248B,
        0x248C, 0x248D, 0x248E, 0x248F, 0x2490, 0x2491, 0x2492, 0x2493, 0x2494, 0x2495, 0x2496, 0x2497,
        0x2498, 0x2499, 0x249A, 0x249B, 0x29F8, 0x29F9, 0x3000, 0x3002, 0x33A7, 0x33A8, 0x33AE, 0x33AF,
        0x33C2, 0x33C6, 0x33C7, 0x33D8, 0x33DE, 0x33DF, 0xFE12, 0xFE19, 0xFE30, 0xFE52, 0xFE68, 0xFE6A,
        0xFF05, 0xFF0E, 0xFF0F, 0xFF3C, 0xFF61, 0x1F100,
    ];

    private enum Shape
    {
        Refused,
        Canonical,
        NeedsRewrite,
    }

    /// <summary>
    /// The canonical path of an origin-form target (path and optional query), or null when it is
    /// refused. An already-canonical path without a query is returned as the same instance, and a
    /// thread's last answer is reused for the same target, so a gateway's steady traffic allocates nothing.
    /// </summary>
    public static string? CanonicalPath(string? target) => target is null ? null : CanonicalPath(target, 0);

    /// <summary>
    /// The canonical path of the target that starts at <paramref name="start"/> in <paramref name="source"/>
    /// (the client's target inside a longer request target, as the ext_authz path form receives it);
    /// null when refused. See <see cref="CanonicalPath(string?)"/>.
    /// </summary>
    public static string? CanonicalPath(string source, int start)
    {
        var target = source.AsSpan(start);
        var queryAt = target.IndexOf('?');
        var path = queryAt < 0 ? target : target[..queryAt];
        var shape = Inspect(path);
        if (shape == Shape.Refused)
        {
            return null;
        }

        if (shape == Shape.Canonical && queryAt < 0 && start == 0)
        {
            return source;
        }

        var last = t_last;
        if (last is not null && last.Start == start && string.Equals(last.Source, source, StringComparison.Ordinal))
        {
            return last.Path;
        }

        var canonical = shape == Shape.Canonical ? path.ToString() : Rewrite(path);
        if (canonical is null)
        {
            return null;
        }

        t_last = new LastPath(source, start, canonical);
        return canonical;
    }

    /// <summary>
    /// Whether the query of a target names <see cref="MethodOverrideParameter"/> (any case, encoded
    /// or not): an upstream may run that method instead of the one decided.
    /// </summary>
    public static bool HasMethodOverrideParameter(ReadOnlySpan<char> target)
    {
        var queryAt = target.IndexOf('?');
        if (queryAt < 0)
        {
            return false;
        }

        // Parsers disagree on the separators ('&', and ';' for some) and on names: PHP turns a
        // leading '.', ' ' or '[' into '_' and reads "_method[]" as "_method"; C strings end at NUL.
        var query = target[(queryAt + 1)..];
        foreach (var range in query.SplitAny('&', ';'))
        {
            var parameter = query[range];
            var equals = parameter.IndexOf('=');
            var name = (equals < 0 ? parameter : parameter[..equals]).ToString();
            if (name.Contains('%') || name.Contains('+'))
            {
                name = Uri.UnescapeDataString(name.Replace('+', ' '));
            }

            var nul = name.IndexOf('\0');
            name = nul < 0 ? name : name[..nul];
            // An empty name ("?a=1&", "?=1") names nothing; a name of one character holds no bracket after its first.
            var bracket = name.Length > 1 ? name.IndexOf('[', 1) : -1;
            name = bracket < 0 ? name : name[..bracket];
            if (name.Length == MethodOverrideParameter.Length
                && name[0] is '_' or '.' or ' ' or '['
                && name.AsSpan(1).Equals(MethodOverrideParameter.AsSpan(1), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The method rules are matched with: upper-case, <c>HEAD</c> decided as <c>GET</c> (an
    /// upstream answers HEAD with the GET handler); null for anything that is not an RFC 9110 token
    /// of at most <see cref="MaxMethodLength"/> characters.
    /// </summary>
    public static string? CanonicalMethod(string? method)
    {
        switch (method)
        {
            case "GET" or "HEAD":
                return "GET";
            case "POST" or "PUT" or "PATCH" or "DELETE" or "OPTIONS":
                return method;
            case null or { Length: 0 or > MaxMethodLength }:
                return null;
        }

        foreach (var c in method)
        {
            if (!IsTokenChar(c))
            {
                return null;
            }
        }

        var upper = method.ToUpperInvariant();
        return upper == "HEAD" ? "GET" : upper;
    }

    private static Shape Inspect(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty || path[0] != '/' || path.Length > MaxPathLength)
        {
            return Shape.Refused;
        }

        var rewrite = false;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c != '%')
            {
                if (c is < '!' or > '~' or '\\' or ';' or '#')
                {
                    return Shape.Refused;
                }

                continue;
            }

            if (!TryEscape(path, i, out var b, out var lowerHex))
            {
                return Shape.Refused;
            }

            rewrite |= lowerHex;
            if (b < 0x80)
            {
                if (IsUnreserved(b))
                {
                    rewrite = true;
                }
                else if (b is (byte)'/' or (byte)'\\' or (byte)'%' or < 0x20 or 0x7F)
                {
                    return Shape.Refused;
                }

                i += 2;
                continue;
            }

            // A UTF-8 sequence written as escapes: the lead byte says how many continuation
            // escapes follow, and the second byte's range excludes overlong forms and surrogates.
            var (length, low, high) = b switch
            {
                >= 0xC2 and <= 0xDF => (2, 0x80, 0xBF),
                0xE0 => (3, 0xA0, 0xBF),
                0xED => (3, 0x80, 0x9F),
                >= 0xE1 and <= 0xEF => (3, 0x80, 0xBF),
                0xF0 => (4, 0x90, 0xBF),
                >= 0xF1 and <= 0xF3 => (4, 0x80, 0xBF),
                0xF4 => (4, 0x80, 0x8F),
                _ => (0, 0, 0),
            };
            if (length == 0)
            {
                return Shape.Refused;
            }

            var codePoint = b & (0xFF >> (length + 1));
            for (var k = 1; k < length; k++)
            {
                i += 3;
                if (i >= path.Length || path[i] != '%' || !TryEscape(path, i, out var next, out lowerHex)
                    || next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF))
                {
                    return Shape.Refused;
                }

                rewrite |= lowerHex;
                codePoint = (codePoint << 6) | (next & 0x3F);
            }

            if (Array.BinarySearch(SeparatorLookalikes, codePoint) >= 0)
            {
                return Shape.Refused;
            }

            i += 2;
        }

        return rewrite ? Shape.NeedsRewrite : HasAmbiguousSegment(path) ? Shape.Refused : Shape.Canonical;
    }

    // Only called after Inspect found every escape well-formed.
    private static string? Rewrite(ReadOnlySpan<char> path)
    {
        Span<char> buffer = path.Length <= 512 ? stackalloc char[path.Length] : new char[path.Length];
        var length = 0;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '%')
            {
                buffer[length++] = path[i];
                continue;
            }

            TryEscape(path, i, out var b, out _);
            if (b < 0x80 && IsUnreserved(b))
            {
                buffer[length++] = (char)b;
            }
            else
            {
                buffer[length++] = '%';
                buffer[length++] = char.ToUpperInvariant(path[i + 1]);
                buffer[length++] = char.ToUpperInvariant(path[i + 2]);
            }

            i += 2;
        }

        var canonical = buffer[..length];
        return HasAmbiguousSegment(canonical) ? null : canonical.ToString();
    }

    // Dot segments, segments ending in a dot or an encoded space (Windows servers strip both), and
    // empty segments other than one trailing slash: an upstream may resolve each to another path
    // than the one matched.
    private static bool HasAmbiguousSegment(ReadOnlySpan<char> path)
    {
        var rest = path[1..];
        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.IsEmpty)
            {
                // Empty is fine only as the very end: "/" itself, or "/orders/".
                return slash >= 0;
            }

            if (segment[^1] == '.' || segment.EndsWith("%20", StringComparison.Ordinal))
            {
                return true;
            }

            if (slash < 0)
            {
                return false;
            }

            rest = rest[(slash + 1)..];
        }
    }

    private static bool TryEscape(ReadOnlySpan<char> path, int at, out byte value, out bool lowerHex)
    {
        value = 0;
        lowerHex = false;
        if (at + 2 >= path.Length || !char.IsAsciiHexDigit(path[at + 1]) || !char.IsAsciiHexDigit(path[at + 2]))
        {
            return false;
        }

        lowerHex = char.IsAsciiLetterLower(path[at + 1]) || char.IsAsciiLetterLower(path[at + 2]);
        value = (byte)((HexValue(path[at + 1]) << 4) | HexValue(path[at + 2]));
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsUnreserved(int b) => char.IsAsciiLetterOrDigit((char)b) || b is '-' or '.' or '_' or '~';

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private sealed record LastPath(string Source, int Start, string Path);
}
