using System.Text;

namespace Portal.Core.Names;

/// <summary>
/// The one rule for a name a person gives something (a key, an organization, a permission set, an
/// API): two names that look the same are the same name. The stored form is Unicode NFC (so
/// <c>café</c> typed precomposed and with a combining accent is one spelling), trimmed, with every
/// space separator (no-break, ideographic, en space…) written as one U+0020 and runs of spaces
/// folded to one, since a browser shows them alike. A name holding a character of
/// <see cref="DeceptiveCharacters"/> is refused with a message naming the field and the code point.
/// </summary>
/// <remarks>
/// Uniqueness checks compare stored forms, so canonically equivalent spellings collide. Descriptions
/// follow <see cref="CheckText"/>: the same refusals, line breaks and tabs allowed, spacing kept.
/// </remarks>
public static class DisplayName
{
    /// <summary>
    /// The name as stored, or the best-effort form after adding a message under <paramref name="field"/>
    /// to <paramref name="errors"/> (callers throw with <see cref="InvalidRequestException.ThrowIfAny"/>).
    /// </summary>
    /// <param name="value">The name as entered; null and blank are "required".</param>
    /// <param name="maxLength">The most UTF-16 code units the stored form may have (the column's length).</param>
    /// <param name="field">The field the message is filed under, e.g. <c>name</c>.</param>
    /// <param name="errors">Messages by field.</param>
    /// <param name="label">How messages call the field ("Name").</param>
    /// <param name="requiredMessage">The message for a blank name; "{label} is required." when null.</param>
    public static string Check(string? value, int maxLength, string field, IDictionary<string, string[]> errors, string label = "Name", string? requiredMessage = null)
    {
        var (name, problem) = Examine(value, maxLength, label, requiredMessage);
        if (problem is not null)
        {
            errors[field] = [problem];
        }

        return name;
    }

    /// <summary>The name as stored; throws <see cref="InvalidRequestException"/> naming <paramref name="field"/> when it breaks the rule.</summary>
    public static string Require(string? value, int maxLength, string field = "name", string label = "Name")
    {
        var errors = new Dictionary<string, string[]>();
        var name = Check(value, maxLength, field, errors, label);
        InvalidRequestException.ThrowIfAny(errors);
        return name;
    }

    /// <summary>What is wrong with the name, or null when it may be stored: for a form's instant validation.</summary>
    public static string? Problem(string? value, int maxLength, string label = "Name") => Examine(value, maxLength, label, null).Problem;

    /// <summary>
    /// Optional multi-line text (a description): null when blank, else NFC and trimmed, with CR, LF and
    /// tab allowed and every other character of <see cref="DeceptiveCharacters"/> refused under
    /// <paramref name="field"/>; at most <paramref name="maxLength"/> UTF-16 code units.
    /// </summary>
    public static string? CheckText(string? value, int maxLength, string field, IDictionary<string, string[]> errors, string label = "Description")
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DeceptiveCharacters.Find(value, allowLineBreaks: true) is { } refused)
        {
            errors[field] = [refused.Message(label)];
            return value.Trim();
        }

        var text = value.Normalize(NormalizationForm.FormC).Trim();
        if (text.Length > maxLength)
        {
            errors[field] = [$"{label} must be at most {maxLength} characters."];
        }

        return text;
    }

    /// <summary>
    /// The stored form of a name without checking it: NFC, spaces folded, trimmed. For comparing
    /// with stored names (a search box); text with a lone surrogate is returned trimmed only.
    /// </summary>
    public static string Normalize(string value)
    {
        if (DeceptiveCharacters.FindLoneSurrogate(value) is not null)
        {
            return value.Trim();
        }

        return FoldSpaces(value.Normalize(NormalizationForm.FormC));
    }

    private static (string Name, string? Problem) Examine(string? value, int maxLength, string label, string? requiredMessage)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ("", requiredMessage ?? $"{label} is required.");
        }

        // Checked before anything else: normalization throws on a lone surrogate.
        if (DeceptiveCharacters.FindLoneSurrogate(value) is { } surrogate)
        {
            return (value.Trim(), surrogate.Message(label));
        }

        var name = FoldSpaces(value.Normalize(NormalizationForm.FormC));
        if (DeceptiveCharacters.Find(name) is { } refused)
        {
            return (name, refused.Message(label));
        }

        return name.Length > maxLength ? (name, $"{label} must be at most {maxLength} characters.") : (name, null);
    }

    // Leading and trailing white space (tabs and line breaks too) goes; inside, any run of space
    // separators becomes one U+0020. Other controls inside stay, for the check to refuse.
    private static string FoldSpaces(string value)
    {
        var trimmed = value.AsSpan().Trim();
        var builder = new StringBuilder(trimmed.Length);
        var inSpace = false;
        foreach (var c in trimmed)
        {
            if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.SpaceSeparator)
            {
                if (!inSpace)
                {
                    builder.Append(' ');
                }

                inSpace = true;
                continue;
            }

            inSpace = false;
            builder.Append(c);
        }

        return builder.ToString();
    }
}
