using System.Buffers;
using System.Buffers.Text;

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
public static class StructuredFields
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

    public static string Serialize(SfDictionary dictionary)
    {
        var builder = new AsciiBuilder(stackalloc byte[256], MaxFieldLength * 2);
        try
        {
            Write(ref builder, dictionary);
            return builder.ToLatin1String();
        }
        finally
        {
            builder.Dispose();
        }
    }

    public static string Serialize(SfList list)
    {
        var builder = new AsciiBuilder(stackalloc byte[256], MaxFieldLength * 2);
        try
        {
            Write(ref builder, list);
            return builder.ToLatin1String();
        }
        finally
        {
            builder.Dispose();
        }
    }

    public static string Serialize(SfMember member)
    {
        var builder = new AsciiBuilder(stackalloc byte[256], MaxFieldLength * 2);
        try
        {
            Write(ref builder, member);
            return builder.ToLatin1String();
        }
        finally
        {
            builder.Dispose();
        }
    }

    public static string Serialize(SfInnerList innerList) => Serialize(new SfMember(innerList));

    public static string Serialize(SfItem item) => Serialize(new SfMember(item));

    public static string Serialize(SfBareItem item) => Serialize(new SfMember(new SfItem(item, SfParameters.Empty)));

    internal static void Write(ref AsciiBuilder builder, SfDictionary dictionary)
    {
        var first = true;
        foreach (var (key, member) in dictionary.MemberSpan)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            builder.Append(key);
            if (!member.IsInnerList && member.Item.Value.Type == SfType.Boolean && member.Item.Value.Boolean)
            {
                WriteParameters(ref builder, member.Item.Parameters);
            }
            else
            {
                builder.Append('=');
                Write(ref builder, member);
            }
        }
    }

    internal static void Write(ref AsciiBuilder builder, SfList list)
    {
        var first = true;
        foreach (var member in list.Members)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            Write(ref builder, member);
        }
    }

    internal static void Write(ref AsciiBuilder builder, SfMember member)
    {
        if (member.InnerList is { } innerList)
        {
            builder.Append('(');
            var items = innerList.ItemSpan;
            for (var i = 0; i < items.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(' ');
                }

                var item = items[i];
                WriteBareItem(ref builder, item.Value);
                WriteParameters(ref builder, item.Parameters);
            }

            builder.Append(')');
            WriteParameters(ref builder, innerList.Parameters);
        }
        else
        {
            WriteBareItem(ref builder, member.Item.Value);
            WriteParameters(ref builder, member.Item.Parameters);
        }
    }

    internal static void WriteParameters(ref AsciiBuilder builder, SfParameters parameters)
    {
        foreach (var (key, value) in parameters.AsSpan())
        {
            builder.Append(';');
            builder.Append(key);
            if (!(value.Type == SfType.Boolean && value.Boolean))
            {
                builder.Append('=');
                WriteBareItem(ref builder, value);
            }
        }
    }

    internal static void WriteBareItem(ref AsciiBuilder builder, SfBareItem item)
    {
        switch (item.Type)
        {
            case SfType.Integer:
                builder.Append(item.Integer);
                break;
            case SfType.Decimal:
                WriteDecimal(ref builder, item.DecimalThousandths);
                break;
            case SfType.String:
                builder.Append('"');
                var text = item.Text!.AsSpan();
                if (!NeedsEscape(text))
                {
                    builder.Append(text);
                }
                else
                {
                    foreach (var c in text)
                    {
                        if (c is '"' or '\\')
                        {
                            builder.Append('\\');
                        }

                        builder.Append(c);
                    }
                }

                builder.Append('"');
                break;
            case SfType.Token:
                builder.Append(item.Text!);
                break;
            case SfType.ByteSequence:
                var bytes = item.Bytes!;
                builder.Append(':');
                var span = builder.AppendSpan(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
                if (!span.IsEmpty)
                {
                    Base64.EncodeToUtf8(bytes, span, out _, out _);
                }

                builder.Append(':');
                break;
            case SfType.Boolean:
                builder.Append(item.Boolean ? "?1" : "?0");
                break;
        }
    }

    private static bool NeedsEscape(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                return true;
            }
        }

        return false;
    }

    // Section 4.1.5: at least one and at most three fractional digits, trailing zeros dropped.
    private static void WriteDecimal(ref AsciiBuilder builder, long thousandths)
    {
        if (thousandths < 0)
        {
            builder.Append('-');
            thousandths = -thousandths;
        }

        builder.Append(thousandths / 1000);
        builder.Append('.');
        var fraction = thousandths % 1000;
        builder.Append((char)('0' + (fraction / 100)));
        if (fraction % 100 != 0)
        {
            builder.Append((char)('0' + (fraction / 10 % 10)));
            if (fraction % 10 != 0)
            {
                builder.Append((char)('0' + (fraction % 10)));
            }
        }
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*'
        or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' or ':' or '/';

    private static bool IsKeyChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.' or '*';

    private const string Alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> KeyChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-.*");
    private static readonly SearchValues<char> TokenChars = SearchValues.Create(Alphanumeric + "!#$%&'*+-.^_`|~:/");
    private static readonly SearchValues<char> Base64Chars = SearchValues.Create(Alphanumeric + "+/");

    // Printable ASCII except '"' and '\\', the two characters that end or escape inside a string.
    private static readonly SearchValues<char> PlainStringChars = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

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

    // Per-thread scratch for the parser (an inner list and parameters are never parsed inside
    // another of their kind), so each parsed collection allocates only its exact-size array.
    [ThreadStatic]
    private static KeyValuePair<string, SfMember>[]? t_members;

    [ThreadStatic]
    private static SfItem[]? t_items;

    [ThreadStatic]
    private static SfParameter[]? t_parameters;

    private static T[] TakeScratch<T>(T[] scratch, int count)
    {
        var result = scratch.AsSpan(0, count).ToArray();
        scratch.AsSpan(0, count).Clear();
        return result;
    }

    private static readonly SfDictionary Empty = new([]);
    private static readonly SfList EmptyList = new([]);

    /// <summary>The reasons a field is refused: fixed texts, safe to show.</summary>
    internal static class Errors
    {
        public const string TooLong = "the field is longer than 8192 characters";
        public const string Empty = "the field is empty";
        public const string TooManyMembers = "the field has more than 16 members";
        public const string TooManyItems = "an inner list has more than 32 items";
        public const string TooManyParameters = "an item has more than 16 parameters";
        public const string DuplicateKey = "a key appears twice";
        public const string DuplicateParameter = "a parameter appears twice";
        public const string BadKey = "a key is malformed";
        public const string BadItem = "an item is malformed";
        public const string BadNumber = "a number is malformed or out of range";
        public const string BadString = "a string is malformed";
        public const string BadToken = "a token is malformed";
        public const string BadBytes = "a byte sequence is malformed";
        public const string BadBoolean = "a boolean is malformed";
        public const string BadInnerList = "an inner list is malformed";
        public const string BadSeparator = "members are not separated by a comma";
        public const string TrailingComma = "the field ends with a comma";
        public const string TrailingCharacters = "unexpected characters after the value";
    }

    /// <summary>RFC 8941 section 4.2: a cursor over the field; the first error stops everything.</summary>
    private ref struct Parser
    {
        private readonly ReadOnlySpan<char> _input;
        private readonly bool _refuseDuplicates;
        private int _position;

        public Parser(string? field, bool refuseDuplicateKeys)
        {
            _input = field;
            _refuseDuplicates = refuseDuplicateKeys;
            _position = 0;
            Error = null;
            if (_input.Length > MaxFieldLength)
            {
                Error = Errors.TooLong;
                return;
            }

            SkipSpaces();
        }

        public string? Error { get; private set; }

        public readonly bool AtEnd => _position >= _input.Length;

        // Section 4.2 steps 3 and 6: trailing spaces are dropped; anything else left over fails.
        public void End()
        {
            if (Error is not null)
            {
                return;
            }

            SkipSpaces();
            if (!AtEnd)
            {
                Fail(Errors.TrailingCharacters);
            }
        }

        public SfDictionary? Dictionary()
        {
            var members = t_members ??= new KeyValuePair<string, SfMember>[MaxMembers];
            var count = 0;
            while (!AtEnd)
            {
                var key = Key();
                if (Error is not null)
                {
                    return null;
                }

                SfMember member;
                if (Peek() == '=')
                {
                    _position++;
                    member = Member();
                }
                else
                {
                    member = new SfMember(new SfItem(SfBareItem.True, Parameters()));
                }

                if (Error is not null)
                {
                    return null;
                }

                var existing = -1;
                for (var i = 0; i < count; i++)
                {
                    if (string.Equals(members[i].Key, key, StringComparison.Ordinal))
                    {
                        existing = i;
                        break;
                    }
                }

                if (existing >= 0)
                {
                    if (_refuseDuplicates)
                    {
                        return Fail<SfDictionary>(Errors.DuplicateKey);
                    }

                    // RFC 8941 section 4.2.2: the last value wins, in the first one's place.
                    members[existing] = new(key, member);
                }
                else
                {
                    if (count == MaxMembers)
                    {
                        return Fail<SfDictionary>(Errors.TooManyMembers);
                    }

                    members[count++] = new(key, member);
                }

                if (!Separator())
                {
                    return null;
                }
            }

            return count == 0 ? Empty : new SfDictionary(TakeScratch(members, count));
        }

        public SfList? List()
        {
            var members = new List<SfMember>(4);
            while (!AtEnd)
            {
                if (members.Count == MaxMembers)
                {
                    return Fail<SfList>(Errors.TooManyMembers);
                }

                var member = Member();
                if (Error is not null)
                {
                    return null;
                }

                members.Add(member);
                if (!Separator())
                {
                    return null;
                }
            }

            return members.Count == 0 ? EmptyList : new SfList(members.ToArray());
        }

        public SfItem Item()
        {
            var bare = BareItem();
            if (Error is not null)
            {
                return default;
            }

            return new SfItem(bare, Parameters());
        }

        // Between members: OWS "," OWS, and no comma at the end.
        private bool Separator()
        {
            SkipWhitespace();
            if (AtEnd)
            {
                return true;
            }

            if (_input[_position] != ',')
            {
                Fail(Errors.BadSeparator);
                return false;
            }

            _position++;
            SkipWhitespace();
            if (AtEnd)
            {
                Fail(Errors.TrailingComma);
                return false;
            }

            return true;
        }

        private SfMember Member()
        {
            if (Peek() == '(')
            {
                var innerList = InnerList();
                return innerList is null ? default : new SfMember(innerList);
            }

            var item = Item();
            return Error is null ? new SfMember(item) : default;
        }

        private SfInnerList? InnerList()
        {
            _position++; // '('
            var items = t_items ??= new SfItem[MaxInnerListItems];
            var count = 0;
            while (!AtEnd)
            {
                SkipSpaces();
                if (Peek() == ')')
                {
                    _position++;
                    var parameters = Parameters();
                    if (Error is not null)
                    {
                        return null;
                    }

                    return new SfInnerList(count == 0 ? [] : TakeScratch(items, count), parameters);
                }

                if (count == MaxInnerListItems)
                {
                    return Fail<SfInnerList>(Errors.TooManyItems);
                }

                var item = Item();
                if (Error is not null)
                {
                    return null;
                }

                items[count++] = item;
                var next = Peek();
                if (next is not (' ' or ')'))
                {
                    return Fail<SfInnerList>(Errors.BadInnerList);
                }
            }

            return Fail<SfInnerList>(Errors.BadInnerList);
        }

        private SfParameters Parameters()
        {
            if (Peek() != ';')
            {
                return SfParameters.Empty;
            }

            var parameters = t_parameters ??= new SfParameter[MaxParameters];
            var count = 0;
            while (Peek() == ';')
            {
                _position++;
                SkipSpaces();
                var key = Key();
                if (Error is not null)
                {
                    return default;
                }

                var value = SfBareItem.True;
                if (Peek() == '=')
                {
                    _position++;
                    value = BareItem();
                    if (Error is not null)
                    {
                        return default;
                    }
                }

                var existing = -1;
                for (var i = 0; i < count; i++)
                {
                    if (string.Equals(parameters[i].Key, key, StringComparison.Ordinal))
                    {
                        existing = i;
                        break;
                    }
                }

                if (existing >= 0)
                {
                    if (_refuseDuplicates)
                    {
                        Fail(Errors.DuplicateParameter);
                        return default;
                    }

                    parameters[existing] = new SfParameter(key, value);
                    continue;
                }

                if (count == MaxParameters)
                {
                    Fail(Errors.TooManyParameters);
                    return default;
                }

                parameters[count++] = new SfParameter(key, value);
            }

            return new SfParameters(TakeScratch(parameters, count));
        }

        private string Key()
        {
            var start = _position;
            if (AtEnd || !(char.IsAsciiLetterLower(_input[_position]) || _input[_position] == '*'))
            {
                return Fail<string>(Errors.BadKey) ?? "";
            }

            _position++;
            _position = End(_position, KeyChars);
            return Share(_input[start.._position]);
        }

        private SfBareItem BareItem()
        {
            var c = Peek();
            if (c == '-' || char.IsAsciiDigit(c))
            {
                return Number();
            }

            if (c == '"')
            {
                return String();
            }

            if (c == '*' || char.IsAsciiLetter(c))
            {
                return Token();
            }

            if (c == ':')
            {
                return ByteSequence();
            }

            if (c == '?')
            {
                return Boolean();
            }

            Fail(Errors.BadItem);
            return default;
        }

        // Section 4.2.4: at most 15 digits for an integer; 12 + "." + 3 for a decimal.
        private SfBareItem Number()
        {
            var negative = false;
            if (Peek() == '-')
            {
                negative = true;
                _position++;
            }

            if (!char.IsAsciiDigit(Peek()))
            {
                Fail(Errors.BadNumber);
                return default;
            }

            long integer = 0;
            var digits = 0;
            while (!AtEnd && char.IsAsciiDigit(_input[_position]))
            {
                if (++digits > 15)
                {
                    Fail(Errors.BadNumber);
                    return default;
                }

                integer = (integer * 10) + (_input[_position++] - '0');
            }

            if (Peek() != '.')
            {
                return SfBareItem.IntegerUnchecked(negative ? -integer : integer);
            }

            if (digits > 12)
            {
                Fail(Errors.BadNumber);
                return default;
            }

            _position++;
            long fraction = 0;
            var fractionDigits = 0;
            while (!AtEnd && char.IsAsciiDigit(_input[_position]))
            {
                if (++fractionDigits > 3)
                {
                    Fail(Errors.BadNumber);
                    return default;
                }

                fraction = (fraction * 10) + (_input[_position++] - '0');
            }

            if (fractionDigits == 0)
            {
                Fail(Errors.BadNumber);
                return default;
            }

            for (var i = fractionDigits; i < 3; i++)
            {
                fraction *= 10;
            }

            var thousandths = (integer * 1000) + fraction;
            return SfBareItem.DecimalUnchecked(negative ? -thousandths : thousandths);
        }

        private SfBareItem String()
        {
            _position++; // '"'
            var start = _position;
            var escaped = false;
            while (!AtEnd)
            {
                // Jump over a run of plain printable characters at once.
                var run = _input[_position..].IndexOfAnyExcept(PlainStringChars);
                if (run < 0)
                {
                    break;
                }

                _position += run;
                var c = _input[_position];
                if (c == '\\')
                {
                    if (_position + 1 >= _input.Length || _input[_position + 1] is not ('"' or '\\'))
                    {
                        Fail(Errors.BadString);
                        return default;
                    }

                    escaped = true;
                    _position += 2;
                    continue;
                }

                if (c == '"')
                {
                    var raw = _input[start.._position];
                    _position++;
                    return SfBareItem.StringUnchecked(escaped ? Unescape(raw) : Share(raw));
                }

                if (c is < (char)0x20 or > (char)0x7E)
                {
                    Fail(Errors.BadString);
                    return default;
                }

                _position++;
            }

            Fail(Errors.BadString);
            return default;
        }

        private static string Unescape(ReadOnlySpan<char> raw)
        {
            Span<char> buffer = raw.Length <= 256 ? stackalloc char[raw.Length] : new char[raw.Length];
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                buffer[length++] = raw[i] == '\\' ? raw[++i] : raw[i];
            }

            return buffer[..length].ToString();
        }

        private SfBareItem Token()
        {
            var start = _position;
            _position = End(_position + 1, TokenChars);
            return SfBareItem.TokenUnchecked(Share(_input[start.._position]));
        }

        private SfBareItem ByteSequence()
        {
            _position++; // ':'
            var start = _position;
            _position = End(_position, Base64Chars);
            var dataEnd = _position;
            var padding = 0;
            while (!AtEnd && _input[_position] == '=' && padding < 2)
            {
                padding++;
                _position++;
            }

            if (AtEnd || _input[_position] != ':')
            {
                Fail(Errors.BadBytes);
                return default;
            }

            var data = _input[start..dataEnd];
            _position++;
            var remainder = data.Length % 4;
            if (remainder == 1 || (padding > 0 && (data.Length + padding) % 4 != 0))
            {
                Fail(Errors.BadBytes);
                return default;
            }

            var missing = remainder == 0 ? 0 : 4 - remainder;
            var bytes = new byte[((data.Length + missing) / 4 * 3) - missing];
            int written;
            bool decoded;
            if (padding > 0 || missing == 0)
            {
                decoded = Convert.TryFromBase64Chars(_input[start.._position][..^1], bytes, out written);
            }
            else
            {
                // Padding may be left out (section 4.2.7); put it back for the decoder.
                Span<char> padded = data.Length < 512 ? stackalloc char[data.Length + missing] : new char[data.Length + missing];
                data.CopyTo(padded);
                padded[data.Length..].Fill('=');
                decoded = Convert.TryFromBase64Chars(padded, bytes, out written);
            }

            if (!decoded || written != bytes.Length)
            {
                Fail(Errors.BadBytes);
                return default;
            }

            return SfBareItem.FromBytes(bytes);
        }

        private SfBareItem Boolean()
        {
            _position++; // '?'
            var c = Peek();
            if (c is '0' or '1')
            {
                _position++;
                return SfBareItem.FromBoolean(c == '1');
            }

            Fail(Errors.BadBoolean);
            return default;
        }

        private readonly char Peek() => _position < _input.Length ? _input[_position] : '\0';

        // The index of the first character at or after from that is not in allowed.
        private readonly int End(int from, SearchValues<char> allowed)
        {
            if (from >= _input.Length)
            {
                return _input.Length;
            }

            var offset = _input[from..].IndexOfAnyExcept(allowed);
            return offset < 0 ? _input.Length : from + offset;
        }

        private void SkipSpaces()
        {
            while (!AtEnd && _input[_position] == ' ')
            {
                _position++;
            }
        }

        private void SkipWhitespace()
        {
            while (!AtEnd && _input[_position] is ' ' or '\t')
            {
                _position++;
            }
        }

        private void Fail(string error) => Error ??= error;

        private T? Fail<T>(string error)
        {
            Fail(error);
            return default;
        }
    }
}
