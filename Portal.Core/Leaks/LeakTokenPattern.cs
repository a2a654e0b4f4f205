using System.Text.RegularExpressions;
using Portal.Core.Keys;

namespace Portal.Core.Leaks;

/// <summary>
/// The regular expression a secret scanner finds this installation's tokens with, derived from the
/// token format (<see cref="ApiKeyToken"/>): one of the configured prefixes, <c>_</c>, 32 base62
/// characters, then the 6-digit base62 CRC-32. A CRC-32 is at most 2^32 − 1 = 4,294,967,295 (<c>4gfFC3</c>),
/// below 5 × 62^5 = 4,580,664,160, so the checksum's first digit is 0 to 4. Word boundaries keep a match from starting or
/// ending inside a longer word.
/// </summary>
public static class LeakTokenPattern
{
    /// <summary>The pattern for the given prefixes (e.g. <c>pk_live</c>, <c>pk_test</c>), in the order given.</summary>
    public static string For(IEnumerable<string> prefixes)
    {
        var alternatives = string.Join("|", prefixes.Select(Regex.Escape));
        return $@"\b(?:{alternatives})_[0-9A-Za-z]{{{ApiKeyToken.RandomLength}}}[0-4][0-9A-Za-z]{{{ApiKeyToken.ChecksumLength - 1}}}\b";
    }

    /// <summary>The pattern for the prefixes of <paramref name="options"/>, live first.</summary>
    public static string For(KeyOptions options) => For([options.LivePrefix, options.TestPrefix]);
}
