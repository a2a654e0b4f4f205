using System.Globalization;
using System.Text;

namespace Portal.Core.Names;

/// <summary>
/// A character refused in a name or an email address, with the words a person needs to find it.
/// </summary>
/// <param name="CodePoint">The Unicode scalar value, or for a lone surrogate the UTF-16 code unit.</param>
/// <param name="Name">The character's Unicode name when the product knows it (e.g. <c>RIGHT-TO-LEFT OVERRIDE</c>), else null.</param>
/// <param name="Why">Why it is refused, as the end of a sentence ("which can disguise text").</param>
public sealed record DeceptiveCharacter(int CodePoint, string? Name, string Why)
{
    /// <summary>The code point as Unicode writes it: <c>U+202E</c>.</summary>
    public string CodePointText => $"U+{CodePoint:X4}";

    /// <summary>A sentence for a form or a ProblemDetails: "Name contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text."</summary>
    public string Message(string label) => $"{label} contains {CodePointText}{(Name is null ? "" : " " + Name)}, {Why}.";
}

/// <summary>
/// The characters that let one piece of text pass for another: what a renderer shows as nothing
/// (Unicode's Default_Ignorable_Code_Point property: zero-width space and joiners, the byte-order
/// mark, soft hyphen, variation selectors, tag characters, Hangul fillers), what reorders the text
/// around it (bidirectional controls: embeddings, overrides, isolates, marks), what shows as a blank
/// without being a space (U+2800 BRAILLE PATTERN BLANK), control characters, line and paragraph
/// separators, and code points with no agreed appearance (private use, unassigned, lone surrogates).
/// </summary>
/// <remarks>
/// This is the "invisible or reordering" half of Unicode's security advice (UTS #39 §3.1, UTS #55);
/// look-alike letters from other scripts (Cyrillic "а" for Latin "a") are allowed, since refusing
/// them would refuse names written in those scripts. U+FE0E/U+FE0F (text or emoji presentation)
/// are allowed right after a symbol, where they change how the symbol is drawn ("❤️"), and refused
/// elsewhere, where they are invisible. The zero-width joiner is refused even inside emoji
/// sequences (👩‍💻): the same character joins nothing visible between letters.
/// </remarks>
public static class DeceptiveCharacters
{
    private const string Reorders = "which can disguise text";
    private const string Invisible = "which is invisible, so the text can look like other text";
    private const string Blank = "which shows as a blank but is not a space";
    private const string Control = "which is a control character, not text";

    /// <summary>The first unpaired UTF-16 surrogate of <paramref name="text"/> (which normalization would throw on), or null.</summary>
    public static DeceptiveCharacter? FindLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return LoneSurrogate(text[i]);
            }

            i += used;
        }

        return null;
    }

    /// <summary>The first refused character of <paramref name="text"/>, or null when there is none.</summary>
    /// <param name="text">The text as entered; lone surrogates are reported, not thrown.</param>
    /// <param name="allowLineBreaks">True for multi-line text (descriptions): CR, LF and tab are allowed.</param>
    public static DeceptiveCharacter? Find(string text, bool allowLineBreaks = false)
    {
        var previous = UnicodeCategory.SpaceSeparator;
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return LoneSurrogate(text[i]);
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (Refused(rune.Value, category, previous, allowLineBreaks) is { } refused)
            {
                return refused;
            }

            previous = category;
            i += used;
        }

        return null;
    }

    private static DeceptiveCharacter LoneSurrogate(char c) => new(c, null, "half of a surrogate pair without its other half, which is not text");

    private static DeceptiveCharacter? Refused(int c, UnicodeCategory category, UnicodeCategory previous, bool allowLineBreaks)
    {
        if (allowLineBreaks && c is '\n' or '\r' or '\t')
        {
            return null;
        }

        if (c is 0xFE0E or 0xFE0F && previous is UnicodeCategory.OtherSymbol or UnicodeCategory.MathSymbol)
        {
            return null;
        }

        if (Named.TryGetValue(c, out var known))
        {
            return known;
        }

        return category switch
        {
            UnicodeCategory.Control => new DeceptiveCharacter(c, null, Control),
            UnicodeCategory.Format when c is >= 0xE0000 and <= 0xE007F => new DeceptiveCharacter(c, "TAG CHARACTER", Invisible),
            UnicodeCategory.Format => new DeceptiveCharacter(c, null, "a formatting character, " + Invisible),
            UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => new DeceptiveCharacter(c, null, "which breaks the line"),
            UnicodeCategory.PrivateUse => new DeceptiveCharacter(c, null, "a private-use character, which has no agreed appearance"),
            UnicodeCategory.OtherNotAssigned => new DeceptiveCharacter(c, null, "an unassigned code point, which has no agreed appearance"),
            _ when c is >= 0xFE00 and <= 0xFE0F => new DeceptiveCharacter(c, $"VARIATION SELECTOR-{c - 0xFE00 + 1}", Invisible),
            _ when c is >= 0xE0100 and <= 0xE01EF => new DeceptiveCharacter(c, $"VARIATION SELECTOR-{c - 0xE0100 + 17}", Invisible),
            _ when c is >= 0x180B and <= 0x180F => new DeceptiveCharacter(c, "MONGOLIAN FREE VARIATION SELECTOR", Invisible),
            // The rest of Default_Ignorable_Code_Point: reserved now, invisible whenever assigned.
            _ when c is (>= 0x2065 and <= 0x206F) or (>= 0xFFF0 and <= 0xFFF8) or (>= 0xE0000 and <= 0xE0FFF) => new DeceptiveCharacter(c, null, Invisible),
            _ => null,
        };
    }

    // Names for the characters people meet in practice, so the message says what to look for.
    private static readonly Dictionary<int, DeceptiveCharacter> Named = new DeceptiveCharacter[]
    {
        new(0x0000, "NULL", Control),
        new(0x0009, "CHARACTER TABULATION", Control),
        new(0x000A, "LINE FEED", Control),
        new(0x000D, "CARRIAGE RETURN", Control),
        new(0x001B, "ESCAPE", Control),
        new(0x007F, "DELETE", Control),
        new(0x0085, "NEXT LINE", Control),
        new(0x00AD, "SOFT HYPHEN", Invisible),
        new(0x034F, "COMBINING GRAPHEME JOINER", Invisible),
        new(0x061C, "ARABIC LETTER MARK", Reorders),
        new(0x115F, "HANGUL CHOSEONG FILLER", Blank),
        new(0x1160, "HANGUL JUNGSEONG FILLER", Blank),
        new(0x17B4, "KHMER VOWEL INHERENT AQ", Invisible),
        new(0x17B5, "KHMER VOWEL INHERENT AA", Invisible),
        new(0x180E, "MONGOLIAN VOWEL SEPARATOR", Invisible),
        new(0x200B, "ZERO WIDTH SPACE", Invisible),
        new(0x200C, "ZERO WIDTH NON-JOINER", Invisible),
        new(0x200D, "ZERO WIDTH JOINER", Invisible),
        new(0x200E, "LEFT-TO-RIGHT MARK", Reorders),
        new(0x200F, "RIGHT-TO-LEFT MARK", Reorders),
        new(0x2028, "LINE SEPARATOR", "which breaks the line"),
        new(0x2029, "PARAGRAPH SEPARATOR", "which breaks the line"),
        new(0x202A, "LEFT-TO-RIGHT EMBEDDING", Reorders),
        new(0x202B, "RIGHT-TO-LEFT EMBEDDING", Reorders),
        new(0x202C, "POP DIRECTIONAL FORMATTING", Reorders),
        new(0x202D, "LEFT-TO-RIGHT OVERRIDE", Reorders),
        new(0x202E, "RIGHT-TO-LEFT OVERRIDE", Reorders),
        new(0x2060, "WORD JOINER", Invisible),
        new(0x2061, "FUNCTION APPLICATION", Invisible),
        new(0x2062, "INVISIBLE TIMES", Invisible),
        new(0x2063, "INVISIBLE SEPARATOR", Invisible),
        new(0x2064, "INVISIBLE PLUS", Invisible),
        new(0x2066, "LEFT-TO-RIGHT ISOLATE", Reorders),
        new(0x2067, "RIGHT-TO-LEFT ISOLATE", Reorders),
        new(0x2068, "FIRST STRONG ISOLATE", Reorders),
        new(0x2069, "POP DIRECTIONAL ISOLATE", Reorders),
        new(0x2800, "BRAILLE PATTERN BLANK", Blank),
        new(0x3164, "HANGUL FILLER", Blank),
        new(0xFEFF, "ZERO WIDTH NO-BREAK SPACE (byte-order mark)", Invisible),
        new(0xFFA0, "HALFWIDTH HANGUL FILLER", Blank),
        new(0xFFF9, "INTERLINEAR ANNOTATION ANCHOR", Invisible),
        new(0xFFFA, "INTERLINEAR ANNOTATION SEPARATOR", Invisible),
        new(0xFFFB, "INTERLINEAR ANNOTATION TERMINATOR", Invisible),
        new(0xFFFC, "OBJECT REPLACEMENT CHARACTER", "which stands for something that is not there"),
    }.ToDictionary(c => c.CodePoint);
}
