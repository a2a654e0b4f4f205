using System.Buffers;

namespace Portal.Core.Signatures;

/// <summary>RFC 8941 section 4.2: the parsing algorithms, strict and bounded.</summary>
public static partial class StructuredFields
{
    private const string Alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> KeyChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-.*");
    private static readonly SearchValues<char> TokenChars = SearchValues.Create(Alphanumeric + "!#$%&'*+-.^_`|~:/");
    private static readonly SearchValues<char> Base64Chars = SearchValues.Create(Alphanumeric + "+/");

    // Printable ASCII except '"' and '\\', the two characters that end or escape inside a string.
    private static readonly SearchValues<char> PlainStringChars = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

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
