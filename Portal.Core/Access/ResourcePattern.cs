using System.Text.RegularExpressions;

namespace Portal.Core.Access;

/// <summary>
/// Resources are named <c>type/id</c> (<c>asset/eu-17</c>, <c>invoice/2026-0042</c>). A grant may
/// limit itself to patterns where <c>*</c> stands for any run of characters: <c>asset/eu-*</c>
/// (assets whose id starts with <c>eu-</c>), <c>invoice/*</c> (any invoice: a data-type filter).
/// </summary>
public static partial class ResourcePattern
{
    public const int MaxLength = 200;

    public static bool IsValidPattern(string? pattern) =>
        pattern is { Length: > 0 and <= MaxLength } && Shape().IsMatch(pattern) && !HasDotOrEmptySegment(pattern);

    /// <summary>
    /// Whether a resource named in a request has the <c>type/id</c> shape: no wildcards, and no
    /// empty or dot segments, so a pattern <c>asset/eu-*</c> never covers <c>asset/eu-1/../../us-7</c>.
    /// </summary>
    public static bool IsValidResource(string? resource) =>
        resource is { Length: > 0 and <= MaxLength } && !resource.Contains('*') && Shape().IsMatch(resource) && !HasDotOrEmptySegment(resource);

    private static bool HasDotOrEmptySegment(ReadOnlySpan<char> resource)
    {
        foreach (var range in resource.Split('/'))
        {
            if (resource[range] is "" or "." or "..")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Glob match with <c>*</c> only; linear in practice, no allocation.</summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value)
    {
        int p = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (p < pattern.Length && pattern[p] == value[v])
            {
                p++;
                v++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    [GeneratedRegex(@"^[a-z*][a-z0-9_.\-*]*/[A-Za-z0-9_.:@~\-*/]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
