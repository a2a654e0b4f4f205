namespace Portal.Core.Signatures;

/// <summary>
/// RFC 8941 Structured Field Values: the parsing algorithms of section 4.2 and the serialising
/// algorithms of section 4.1, for dictionaries, lists, inner lists, items and parameters.
/// </summary>
/// <remarks>
/// <para>
/// Strict and bounded: a field longer than <see cref="MaxFieldLength"/> characters, with more than
/// <see cref="MaxMembers"/> members, more than <see cref="MaxInnerListItems"/> items in an inner
/// list or more than <see cref="MaxParameters"/> parameters on one item is refused before more work
/// is done; anything RFC 8941 calls a parse failure is refused. Refusals come back as a short fixed
/// English reason (never an exception, never a piece of the input), so callers may show it.
/// </para>
/// <para>
/// Duplicate keys: RFC 8941 keeps the last value of a repeated dictionary key or parameter. The
/// signature fields are parsed with <c>refuseDuplicateKeys</c> instead: two <c>Signature-Input</c>
/// members with one label would let a verifier read one signature's parameters while a proxy or
/// the application reads the other's, so such a message is refused rather than resolved.
/// </para>
/// <para>
/// Byte sequences are decoded from base64 with or without <c>=</c> padding, as section 4.2.7 asks.
/// Keys and strings that the signature fields use all the time are returned as shared instances,
/// so parsing a typical <c>Signature-Input</c> allocates little.
/// </para>
/// </remarks>
public static partial class StructuredFields
{
    /// <summary>The longest field value parsed, in characters.</summary>
    public const int MaxFieldLength = 8192;

    /// <summary>The most members of a dictionary or list.</summary>
    public const int MaxMembers = 16;

    /// <summary>The most items of one inner list.</summary>
    public const int MaxInnerListItems = 32;

    /// <summary>The most parameters of one item, inner list or member.</summary>
    public const int MaxParameters = 16;

    internal const long MaxInteger = 999_999_999_999_999;
    internal const long MaxDecimalThousandths = 999_999_999_999_999;

    // Keys and strings the signature fields repeat on every request, by length, returned shared
    // instead of allocated (a length switch and a compare beat hashing the span for so few).
    private static readonly string[][] SharedByLength = BuildShared(
    [
        "created", "expires", "keyid", "nonce", "alg", "tag", "sig", "sig1", "sig2", "sf", "key", "bs", "req", "tr", "name",
        "sha-256", "sha-512", "@method", "@authority", "@path", "@query", "@target-uri", "@scheme", "@request-target",
        "@status", "@query-param", "@signature-params", "content-digest", "content-type", "content-length", "date",
        "apikey", "hmac-sha256", "ecdsa-p256-sha256", "ed25519",
    ]);

    /// <summary>Parses a dictionary field (RFC 8941 section 4.2.2); duplicate keys keep the last value, as the RFC says.</summary>
    public static bool TryParseDictionary(string? field, out SfDictionary dictionary, out string? error)
        => TryParseDictionary(field, refuseDuplicateKeys: false, out dictionary, out error);

    /// <summary>
    /// Parses a dictionary field (RFC 8941 section 4.2.2). A missing or empty field is an empty
    /// dictionary. With <paramref name="refuseDuplicateKeys"/>, a key repeated in the dictionary or
    /// in one set of parameters is refused.
    /// </summary>
    public static bool TryParseDictionary(string? field, bool refuseDuplicateKeys, out SfDictionary dictionary, out string? error)
    {
        dictionary = Empty;
        var parser = new Parser(field, refuseDuplicateKeys);
        if (parser.Error is null)
        {
            var result = parser.Dictionary();
            parser.End();
            if (parser.Error is null)
            {
                dictionary = result!;
            }
        }

        error = parser.Error;
        return error is null;
    }

    /// <summary>Parses a list field (RFC 8941 section 4.2.1). A missing or empty field is an empty list.</summary>
    public static bool TryParseList(string? field, out SfList list, out string? error)
    {
        list = EmptyList;
        var parser = new Parser(field, refuseDuplicateKeys: false);
        if (parser.Error is null)
        {
            var result = parser.List();
            parser.End();
            if (parser.Error is null)
            {
                list = result!;
            }
        }

        error = parser.Error;
        return error is null;
    }

    /// <summary>Parses an item field (RFC 8941 section 4.2.3). A missing or empty field is refused.</summary>
    public static bool TryParseItem(string? field, out SfItem item, out string? error)
    {
        item = default;
        var parser = new Parser(field, refuseDuplicateKeys: false);
        if (parser.Error is null)
        {
            if (parser.AtEnd)
            {
                error = Errors.Empty;
                return false;
            }

            var result = parser.Item();
            parser.End();
            if (parser.Error is null)
            {
                item = result;
            }
        }

        error = parser.Error;
        return error is null;
    }

    /// <summary>True for an RFC 8941 token: <c>( ALPHA / "*" ) *( tchar / ":" / "/" )</c>.</summary>
    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !(char.IsAsciiLetter(text[0]) || text[0] == '*'))
        {
            return false;
        }

        foreach (var c in text[1..])
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for an RFC 8941 key: <c>( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )</c>.</summary>
    public static bool IsKey(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 64 || !(char.IsAsciiLetterLower(text[0]) || text[0] == '*'))
        {
            return false;
        }

        foreach (var c in text[1..])
        {
            if (!IsKeyChar(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*'
        or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' or ':' or '/';

    private static bool IsKeyChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.' or '*';

    private static string Share(ReadOnlySpan<char> text)
    {
        if (text.Length < SharedByLength.Length)
        {
            foreach (var candidate in SharedByLength[text.Length])
            {
                if (candidate[0] == text[0] && text.SequenceEqual(candidate))
                {
                    return candidate;
                }
            }
        }

        return text.ToString();
    }

    private static string[][] BuildShared(string[] strings)
    {
        var byLength = new string[strings.Max(s => s.Length) + 1][];
        for (var length = 0; length < byLength.Length; length++)
        {
            byLength[length] = strings.Where(s => s.Length == length).ToArray();
        }

        return byLength;
    }
}
