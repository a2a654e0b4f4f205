using System.Text;
using Portal.Core.Names;

namespace Portal.Core;

/// <summary>How optional text from a form or a request body is stored.</summary>
internal static class Input
{
    /// <summary>
    /// Trimmed and in Unicode NFC (like names, so equivalent spellings are stored alike), or null when
    /// blank; text with a lone surrogate (refused by <see cref="DisplayName.CheckText"/> before any save) is only trimmed.
    /// </summary>
    public static string? Blank(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DeceptiveCharacters.FindLoneSurrogate(value) is null ? value.Normalize(NormalizationForm.FormC).Trim()
        : value.Trim();
}
