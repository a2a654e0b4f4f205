using System.Text.RegularExpressions;

namespace Portal.Core.Access;

/// <summary>
/// Scope strings: <c>resource:action</c> (more <c>:</c> segments allowed, e.g. <c>orders:refund</c>),
/// lower-case, with <c>*</c> as a whole-segment wildcard (<c>orders:*</c>).
/// </summary>
public static partial class Scope
{
    /// <summary>The longest scope string, in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>The most scopes a key holds directly, and the most conditional grants it holds besides them.</summary>
    public const int MaxPerKey = 50;

    /// <summary>Lets a key manage keys of its organization through <c>/api/v1/keys</c>.</summary>
    public const string KeysManage = "keys:manage";

    /// <summary>
    /// Lets a key whose owner is an admin see, change, rotate (and receive the new token of) and revoke
    /// keys owned by other members through <c>/api/v1/keys</c>; <see cref="KeysManage"/> alone covers the
    /// owner's own keys. Administrative: only admins may give it.
    /// </summary>
    public const string KeysAdmin = "keys:admin";

    /// <summary>Lets a key read and (when its owner is an admin) change its organization's policies through the API.</summary>
    public const string PoliciesManage = "policies:manage";

    /// <summary>Lets a key ask <c>/api/v1/keys/verify</c> about other keys.</summary>
    public const string KeysVerify = "keys:verify";

    /// <summary>Lets a key read its organization's APIs and their endpoint rules through <c>/api/v1/apis</c>.</summary>
    public const string ApisRead = "apis:read";

    /// <summary>
    /// Lets a key read and (when its owner is an admin) register, change and delete its
    /// organization's APIs and their endpoint rules through <c>/api/v1/apis</c>.
    /// </summary>
    public const string ApisManage = "apis:manage";

    public static bool IsValid(string? scope) =>
        scope is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(scope);

    /// <summary>
    /// Checks a list for a key; returns the error message or null. The count is checked first, so
    /// the work is bounded by <see cref="MaxPerKey"/> × <see cref="MaxLength"/> whatever was sent.
    /// </summary>
    public static string? Validate(IReadOnlyCollection<string>? scopes)
    {
        if (scopes is null)
        {
            return null;
        }

        if (scopes.Count > MaxPerKey)
        {
            return $"A key can hold at most {MaxPerKey} scopes.";
        }

        // A null in the list is as invalid as a malformed scope (FirstOrDefault alone could not tell it from "none").
        if (!scopes.Any(s => !IsValid(s)))
        {
            return null;
        }

        var invalid = scopes.First(s => !IsValid(s));
        return invalid is null
            ? "A scope cannot be null."
            : $"'{Truncate(invalid)}' is not a scope: use resource:action, lower-case letters, digits, '_', '-' or '.', and '*' for a whole segment.";
    }

    /// <summary>Whether a granted scope satisfies a required one: equal, or equal with wildcard segments.</summary>
    public static bool Satisfies(ReadOnlySpan<char> granted, ReadOnlySpan<char> required)
    {
        if (granted.SequenceEqual(required))
        {
            return true;
        }

        while (true)
        {
            var g = granted.IndexOf(':');
            var r = required.IndexOf(':');
            var gSegment = g < 0 ? granted : granted[..g];
            var rSegment = r < 0 ? required : required[..r];
            if (!(gSegment is "*" || gSegment.SequenceEqual(rSegment)))
            {
                // On the last segment (the action), read < write < admin on the same resource.
                return g < 0 && r < 0 && Implies(gSegment, rSegment);
            }

            if (g < 0 || r < 0)
            {
                // A trailing '*' grants every deeper segment; otherwise both must end together.
                return g < 0 && r < 0 || (g < 0 && gSegment is "*");
            }

            granted = granted[(g + 1)..];
            required = required[(r + 1)..];
        }
    }

    /// <summary>
    /// The rank of a standard action: read 1, write 2, admin 3; 0 for custom actions, which only an
    /// exact grant or a wildcard covers (admin on orders does not imply orders:refund).
    /// </summary>
    public static int Level(ReadOnlySpan<char> action) => action switch
    {
        "read" => 1,
        "write" => 2,
        "admin" => 3,
        _ => 0,
    };

    /// <summary>Whether a granted action implies a required one by the read &lt; write &lt; admin order.</summary>
    public static bool Implies(ReadOnlySpan<char> granted, ReadOnlySpan<char> required)
    {
        var needed = Level(required);
        return needed > 0 && Level(granted) >= needed;
    }

    /// <summary>
    /// Whether a scope gives administrative power: an <c>admin</c> action or an action wildcard.
    /// Only organization admins may grant these. (<c>keys:manage</c> is not one: such a key acts
    /// with its owner's own role.)
    /// </summary>
    public static bool IsAdministrative(string scope) => scope.AsSpan(scope.LastIndexOf(':') + 1) is "admin" or "*";

    /// <summary>The resource part of a scope: everything before the last <c>:</c>.</summary>
    public static string ResourceOf(string scope) => scope[..scope.LastIndexOf(':')];

    /// <summary>The action part of a scope: the last segment.</summary>
    public static string ActionOf(string scope) => scope[(scope.LastIndexOf(':') + 1)..];

    public static IReadOnlyList<string> Normalize(IEnumerable<string>? scopes) =>
        scopes is null ? [] : [.. scopes.Select(s => s.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex(@"^([a-z][a-z0-9_.\-]*|\*)(:([a-z][a-z0-9_.\-]*|\*))+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
