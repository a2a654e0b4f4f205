namespace Portal.Core.Access;

/// <summary>
/// A route template of an endpoint rule: <c>/orders/{id}/items</c>, with <c>{name}</c> for one
/// segment and <c>{**name}</c> as a last segment for any rest of the path (including none).
/// </summary>
public sealed class PathTemplate
{
    public const int MaxLength = 200;

    // RFC 3986 pchar without ';' and '%': a request path holding either is refused before matching, so a template with one could never match.
    private const string LiteralCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,=:@";

    private PathTemplate(string text, IReadOnlyList<Segment> segments)
    {
        Text = text;
        Segments = segments;
        Shape = "/" + string.Join('/', segments.Select(s => s.Kind switch
        {
            SegmentKind.Parameter => "{}",
            SegmentKind.CatchAll => "{**}",
            _ => s.Literal,
        }));
    }

    public string Text { get; }

    public IReadOnlyList<Segment> Segments { get; }

    /// <summary>The template with parameter names erased: two rules with the same shape and method conflict.</summary>
    public string Shape { get; }

    public enum SegmentKind
    {
        Literal,
        Parameter,
        CatchAll,
    }

    public readonly record struct Segment(SegmentKind Kind, string Literal);

    /// <summary>Parses a template, or returns why it can never match a request path.</summary>
    public static PathTemplate? TryParse(string? text, out string? error)
    {
        error = Check(text, out var segments);
        return error is null ? new PathTemplate(text!, segments) : null;
    }

    private static string? Check(string? text, out List<Segment> segments)
    {
        segments = [];
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            return "A path template starts with '/', e.g. /orders/{id}.";
        }

        if (text.Length > MaxLength)
        {
            return $"A path template has at most {MaxLength} characters.";
        }

        if (text.IndexOfAny(['?', '#']) >= 0)
        {
            return "A path template has no query string or fragment: rules match the path only.";
        }

        if (text == "/")
        {
            return null;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var parts = text[1..].Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                if (i == parts.Length - 1)
                {
                    break; // A trailing slash: /orders/ matches as /orders.
                }

                return "A path template cannot contain an empty segment ('//').";
            }

            if (part.EndsWith('.'))
            {
                return "A path template cannot contain '.' or '..' segments, or a segment ending in '.': requests with them are refused before matching.";
            }

            if (part.StartsWith('{'))
            {
                var catchAll = part.StartsWith("{**", StringComparison.Ordinal);
                var name = part[(catchAll ? 3 : 1)..^1];
                if (!part.EndsWith('}') || name.Length == 0 || !IsName(name))
                {
                    return $"'{part}' is not a parameter: write {{name}}, or {{**name}} for the rest of the path.";
                }

                if (!names.Add(name))
                {
                    return $"The parameter '{name}' appears twice.";
                }

                if (catchAll && i != parts.Length - 1)
                {
                    return $"'{part}' takes the rest of the path, so it must be the last segment.";
                }

                segments.Add(new Segment(catchAll ? SegmentKind.CatchAll : SegmentKind.Parameter, ""));
                continue;
            }

            if (part.Any(c => !LiteralCharacters.Contains(c)))
            {
                return $"'{part}' contains a character a request path cannot hold here ('{{' and '}}' only around a whole segment; no spaces, ';' or '%').";
            }

            segments.Add(new Segment(SegmentKind.Literal, part));
        }

        return null;
    }

    private static bool IsName(string name) =>
        (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
