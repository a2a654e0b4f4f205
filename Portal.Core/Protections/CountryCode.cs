namespace Portal.Core.Protections;

/// <summary>
/// An ISO 3166-1 alpha-2 country code packed in a number, (first letter − 'A') × 26 + (second − 'A'),
/// so that country lists are bit sets and a lookup allocates nothing. <see cref="None"/> when a
/// country is unknown (no database, or an address the database does not place).
/// </summary>
public readonly record struct CountryCode(ushort Value)
{
    /// <summary>The number of two-letter codes there can be (26 × 26).</summary>
    public const int Space = 26 * 26;

    public static CountryCode None { get; } = new(ushort.MaxValue);

    public bool IsKnown => Value < Space;

    /// <summary>Packs two ASCII letters (either case); false for anything else. Says nothing about whether ISO assigned the code (see <see cref="CountryList"/>).</summary>
    public static bool TryFrom(ReadOnlySpan<char> text, out CountryCode code)
    {
        code = None;
        if (text.Length != 2 || !char.IsAsciiLetter(text[0]) || !char.IsAsciiLetter(text[1]))
        {
            return false;
        }

        code = new CountryCode((ushort)((char.ToUpperInvariant(text[0]) - 'A') * 26 + (char.ToUpperInvariant(text[1]) - 'A')));
        return true;
    }

    public override string ToString() => IsKnown ? string.Create(2, Value, static (span, v) => { span[0] = (char)('A' + v / 26); span[1] = (char)('A' + v % 26); }) : "";
}
