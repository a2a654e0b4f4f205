namespace Portal.Tests.Core.Names;

/// <summary>
/// The table every place a name is entered is tried with: names that would look like another name
/// (each with the code point the refusal must name), and pairs of spellings that must be one name.
/// </summary>
public static class DeceptiveNames
{
    /// <summary>(what it is, the name, the code point the message names).</summary>
    public static readonly (string What, string Name, string CodePoint)[] Refused =
    [
        ("zero width space", "pay\u200Bments", "U+200B"),
        ("zero width non-joiner", "pay\u200Cments", "U+200C"),
        ("zero width joiner", "pay\u200Dments", "U+200D"),
        ("word joiner", "pay\u2060ments", "U+2060"),
        ("soft hyphen", "pay\u00ADments", "U+00AD"),
        ("byte-order mark first", "\uFEFFpayments", "U+FEFF"),
        ("byte-order mark inside", "pay\uFEFFments", "U+FEFF"),
        ("right-to-left override", "invoice\u202Egpj.exe", "U+202E"),
        ("left-to-right override", "pay\u202Dments", "U+202D"),
        ("right-to-left embedding", "pay\u202Bments", "U+202B"),
        ("left-to-right embedding", "pay\u202Aments", "U+202A"),
        ("pop directional formatting", "payments\u202C", "U+202C"),
        ("left-to-right isolate", "pay\u2066ments", "U+2066"),
        ("right-to-left isolate", "pay\u2067ments", "U+2067"),
        ("first strong isolate", "pay\u2068ments", "U+2068"),
        ("pop directional isolate", "payments\u2069", "U+2069"),
        ("left-to-right mark", "pay\u200Ements", "U+200E"),
        ("right-to-left mark", "pay\u200Fments", "U+200F"),
        ("arabic letter mark", "pay\u061Cments", "U+061C"),
        ("hangul filler", "pay\u3164ments", "U+3164"),
        ("hangul choseong filler", "\u115Fpayments", "U+115F"),
        ("hangul jungseong filler", "pay\u1160ments", "U+1160"),
        ("halfwidth hangul filler", "pay\uFFA0ments", "U+FFA0"),
        ("braille pattern blank", "pay\u2800ments", "U+2800"),
        ("combining grapheme joiner", "pay\u034Fments", "U+034F"),
        ("mongolian vowel separator", "pay\u180Ements", "U+180E"),
        ("variation selector on a letter", "pa\uFE00yments", "U+FE00"),
        ("tag character", "payments\U000E0041", "U+E0041"),
        ("invisible separator", "pay\u2063ments", "U+2063"),
        ("line separator", "pay\u2028ments", "U+2028"),
        ("tab inside", "pay\tments", "U+0009"),
        ("escape", "pay\u001Bments", "U+001B"),
        ("null", "pay\0ments", "U+0000"),
        ("private use", "pay\uE000ments", "U+E000"),
        ("lone surrogate", "pay\uD800ments", "U+D800"),
    ];

    /// <summary>(what it is, one spelling, another spelling that looks the same, the stored form of both).</summary>
    public static readonly (string What, string First, string Second, string Stored)[] Equivalent =
    [
        ("café precomposed and decomposed", "caf\u00E9", "cafe\u0301", "caf\u00E9"),
        ("angstrom sign and A with ring", "\u00C5ngstr\u00F6m", "\u212Bngstro\u0308m", "\u00C5ngstr\u00F6m"),
        ("no-break space and space", "order\u00A0service", "order service", "order service"),
        ("two spaces and one", "billing  service", "billing service", "billing service"),
    ];

    public static TheoryData<string, string, string> RefusedData()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (what, name, codePoint) in Refused)
        {
            data.Add(what, name, codePoint);
        }

        return data;
    }

    public static TheoryData<string, string, string, string> EquivalentData()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (what, first, second, stored) in Equivalent)
        {
            data.Add(what, first, second, stored);
        }

        return data;
    }
}
