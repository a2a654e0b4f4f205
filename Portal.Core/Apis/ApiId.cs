namespace Portal.Core.Apis;

/// <summary>
/// The public form of an API's id: <c>api_</c> followed by the id's 32 lower-case hex digits
/// (<c>api_0193f1c2…</c>). Opaque and not a secret: it names what a gateway protects.
/// </summary>
public static class ApiId
{
    public const string Prefix = "api_";
    public const int Length = 36;

    public static string Format(Guid id) => Prefix + id.ToString("N");

    /// <summary>Parses the public form; false for anything else (no exception, no allocation).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Guid id)
    {
        id = Guid.Empty;
        return text.Length == Length
            && text.StartsWith(Prefix, StringComparison.Ordinal)
            && IsLowerHex(text[Prefix.Length..])
            && Guid.TryParseExact(text[Prefix.Length..], "N", out id);
    }

    private static bool IsLowerHex(ReadOnlySpan<char> digits)
    {
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
