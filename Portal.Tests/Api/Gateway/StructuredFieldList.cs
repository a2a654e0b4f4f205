using System.Globalization;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// A strict parser of RFC 8941 Structured Field Lists (section 4.2.1 and the algorithms it calls),
/// written from the RFC independently of the product's serializer, so a test can tell whether a
/// header is a well-formed List whatever the product believes. Any deviation throws
/// <see cref="FormatException"/>. Bare items become string (sf-string), <see cref="Token"/>,
/// long or decimal, byte[] or bool.
/// </summary>
public static class StructuredFieldList
{
    public sealed record Token(string Value);

    /// <summary>A List member: an Item (<see cref="InnerItems"/> null) or an Inner List, with its parameters in order.</summary>
    public sealed record Member(object? Item, IReadOnlyList<Item>? InnerItems, IReadOnlyList<KeyValuePair<string, object>> Parameters);

    public sealed record Item(object Value, IReadOnlyList<KeyValuePair<string, object>> Parameters);

    public static IReadOnlyList<Member> Parse(string field)
    {
        if (field.Any(c => c > 0x7F))
        {
            throw new FormatException("A structured field is ASCII.");
        }

        var reader = new Reader(field);
        reader.SkipSpaces();
        var members = new List<Member>();
        while (!reader.AtEnd)
        {
            members.Add(reader.Peek == '(' ? reader.InnerList() : reader.ItemMember());
            reader.SkipOws();
            if (reader.AtEnd)
            {
                break;
            }

            reader.Expect(',');
            reader.SkipOws();
            if (reader.AtEnd)
            {
                throw new FormatException("A List cannot end with a comma.");
            }
        }

        return members;
    }

    private sealed class Reader(string text)
    {
        private int _at;

        public bool AtEnd => _at >= text.Length;

        public char Peek => AtEnd ? '\0' : text[_at];

        public void SkipSpaces()
        {
            while (!AtEnd && text[_at] == ' ')
            {
                _at++;
            }
        }

        public void SkipOws()
        {
            while (!AtEnd && text[_at] is ' ' or '\t')
            {
                _at++;
            }
        }

        public void Expect(char c)
        {
            if (Peek != c || AtEnd)
            {
                throw new FormatException($"Expected '{c}' at {_at}.");
            }

            _at++;
        }

        public Member InnerList()
        {
            Expect('(');
            var items = new List<Item>();
            while (!AtEnd)
            {
                SkipSpaces();
                if (Peek == ')')
                {
                    _at++;
                    return new Member(null, items, Parameters());
                }

                items.Add(new Item(BareItem(), Parameters()));
                if (Peek is not (' ' or ')'))
                {
                    throw new FormatException($"Items of an Inner List are separated by spaces (at {_at}).");
                }
            }

            throw new FormatException("An Inner List is not closed.");
        }

        public Member ItemMember()
        {
            var value = BareItem();
            return new Member(value, null, Parameters());
        }

        private List<KeyValuePair<string, object>> Parameters()
        {
            var parameters = new List<KeyValuePair<string, object>>();
            while (!AtEnd && Peek == ';')
            {
                _at++;
                SkipSpaces();
                var key = Key();
                object value = true;
                if (Peek == '=')
                {
                    _at++;
                    value = BareItem();
                }

                // A key given again overwrites its value, in its first position.
                var index = parameters.FindIndex(p => p.Key == key);
                if (index >= 0)
                {
                    parameters[index] = new(key, value);
                }
                else
                {
                    parameters.Add(new(key, value));
                }
            }

            return parameters;
        }

        private string Key()
        {
            if (!(Peek is >= 'a' and <= 'z' or '*') || AtEnd)
            {
                throw new FormatException($"A key starts with a lower-case letter or '*' (at {_at}).");
            }

            var start = _at;
            while (!AtEnd && Peek is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.' or '*')
            {
                _at++;
            }

            return text[start.._at];
        }

        private object BareItem()
        {
            if (AtEnd)
            {
                throw new FormatException("An item was expected.");
            }

            return Peek switch
            {
                '-' or (>= '0' and <= '9') => Number(),
                '"' => String(),
                ':' => Bytes(),
                '?' => Boolean(),
                (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or '*' => TokenItem(),
                _ => throw new FormatException($"No item starts with '{Peek}' (at {_at})."),
            };
        }

        private string String()
        {
            Expect('"');
            var value = new System.Text.StringBuilder();
            while (!AtEnd)
            {
                var c = text[_at++];
                if (c == '\\')
                {
                    if (AtEnd || text[_at] is not ('"' or '\\'))
                    {
                        throw new FormatException("Only '\"' and '\\' may be escaped in a String.");
                    }

                    value.Append(text[_at++]);
                }
                else if (c == '"')
                {
                    return value.ToString();
                }
                else if (c is < ' ' or > '~')
                {
                    throw new FormatException("A String holds printable ASCII only.");
                }
                else
                {
                    value.Append(c);
                }
            }

            throw new FormatException("A String is not closed.");
        }

        private Token TokenItem()
        {
            var start = _at++;
            while (!AtEnd && (IsTchar(Peek) || Peek is ':' or '/'))
            {
                _at++;
            }

            return new Token(text[start.._at]);
        }

        private static bool IsTchar(char c) =>
            c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9')
                or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

        private object Number()
        {
            var start = _at;
            if (Peek == '-')
            {
                _at++;
            }

            if (!(Peek is >= '0' and <= '9') || AtEnd)
            {
                throw new FormatException("A number needs a digit.");
            }

            var dot = -1;
            while (!AtEnd && (Peek is >= '0' and <= '9' || (Peek == '.' && dot < 0)))
            {
                if (Peek == '.')
                {
                    if (_at - start > 12 + (text[start] == '-' ? 1 : 0))
                    {
                        throw new FormatException("A Decimal has at most 12 integer digits.");
                    }

                    dot = _at;
                }

                _at++;
            }

            var number = text[start.._at];
            if (dot < 0)
            {
                return number.TrimStart('-').Length > 15 ? throw new FormatException("An Integer has at most 15 digits.") : long.Parse(number, CultureInfo.InvariantCulture);
            }

            var fraction = _at - dot - 1;
            return fraction is < 1 or > 3
                ? throw new FormatException("A Decimal has 1 to 3 fractional digits.")
                : decimal.Parse(number, CultureInfo.InvariantCulture);
        }

        private byte[] Bytes()
        {
            Expect(':');
            var start = _at;
            while (!AtEnd && Peek != ':')
            {
                if (!(char.IsAsciiLetterOrDigit(Peek) || Peek is '+' or '/' or '='))
                {
                    throw new FormatException("A Byte Sequence is base64.");
                }

                _at++;
            }

            Expect(':');
            return Convert.FromBase64String(text[start..(_at - 1)]);
        }

        private bool Boolean()
        {
            Expect('?');
            var c = Peek;
            if (AtEnd || c is not ('0' or '1'))
            {
                throw new FormatException("A Boolean is ?0 or ?1.");
            }

            _at++;
            return c == '1';
        }
    }
}

/// <summary>
/// Reads <c>X-Auth-Resource-Filters</c> as documented: a List of Inner Lists of Strings, each with
/// exactly one parameter, <c>scope</c>, a String. Each filter comes back as its scope and its
/// patterns joined by spaces (patterns hold none), so filters compare by value.
/// </summary>
public static class ResourceFiltersField
{
    public static List<(string Scope, string Resources)> Read(string? field)
    {
        if (field is null)
        {
            return [];
        }

        var filters = new List<(string, string)>();
        foreach (var member in StructuredFieldList.Parse(field))
        {
            Assert.NotNull(member.InnerItems);
            var parameter = Assert.Single(member.Parameters);
            Assert.Equal("scope", parameter.Key);
            var scope = Assert.IsType<string>(parameter.Value);
            var resources = member.InnerItems.Select(i =>
            {
                Assert.Empty(i.Parameters);
                return Assert.IsType<string>(i.Value);
            });
            filters.Add((scope, string.Join(' ', resources)));
        }

        return filters;
    }
}
