using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>RFC 8941 parsing and serialising: every bare item type, parameters, inner lists, the strict refusals and the limits.</summary>
public sealed class StructuredFieldsTests
{
    [Theory]
    [InlineData("42", "42")]
    [InlineData("-42", "-42")]
    [InlineData("999999999999999", "999999999999999")]
    [InlineData("4.5", "4.5")]
    [InlineData("-0.250", "-0.25")]
    [InlineData("123456789012.123", "123456789012.123")]
    [InlineData("1.0", "1.0")]
    [InlineData("\"hello \\\"world\\\" \\\\o/\"", "\"hello \\\"world\\\" \\\\o/\"")]
    [InlineData("foo/bar:baz", "foo/bar:baz")]
    [InlineData("*token", "*token")]
    [InlineData(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:", ":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:")]
    [InlineData(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg:", ":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:")]
    [InlineData("::", "::")]
    [InlineData("?1", "?1")]
    [InlineData("?0", "?0")]
    [InlineData("  5;a;b=?0;c=\"x\"  ", "5;a;b=?0;c=\"x\"")]
    public void TryParseItem_ValidItem_SerialisesCanonically(string field, string expected)
    {
        Assert.True(StructuredFields.TryParseItem(field, out var item, out var error), error);

        Assert.Equal(expected, StructuredFields.Serialize(item));
    }

    [Fact]
    public void TryParseItem_EachType_ReadsItsValue()
    {
        Assert.True(StructuredFields.TryParseItem("-17", out var integer, out _));
        Assert.True(StructuredFields.TryParseItem("2.125", out var @decimal, out _));
        Assert.True(StructuredFields.TryParseItem("\"a\\\"b\"", out var text, out _));
        Assert.True(StructuredFields.TryParseItem("tok", out var token, out _));
        Assert.True(StructuredFields.TryParseItem(":AQID:", out var bytes, out _));
        Assert.True(StructuredFields.TryParseItem("?1;p=3", out var boolean, out _));

        Assert.Equal((SfType.Integer, -17L), (integer.Value.Type, integer.Value.Integer));
        Assert.Equal((SfType.Decimal, 2.125m), (@decimal.Value.Type, @decimal.Value.Decimal));
        Assert.Equal((SfType.String, "a\"b"), (text.Value.Type, text.Value.Text));
        Assert.Equal((SfType.Token, "tok"), (token.Value.Type, token.Value.Text));
        Assert.Equal(new byte[] { 1, 2, 3 }, bytes.Value.Bytes);
        Assert.True(boolean.Value.Boolean);
        Assert.True(boolean.Parameters.TryGet("p", out var p));
        Assert.Equal(3, p.Integer);
    }

    [Theory]
    [InlineData("", "the field is empty")]
    [InlineData("1000000000000000", "a number is malformed or out of range")]
    [InlineData("1234567890123.1", "a number is malformed or out of range")]
    [InlineData("1.1234", "a number is malformed or out of range")]
    [InlineData("1.", "a number is malformed or out of range")]
    [InlineData("-", "a number is malformed or out of range")]
    [InlineData("\"unterminated", "a string is malformed")]
    [InlineData("\"bad \\n escape\"", "a string is malformed")]
    [InlineData("\"tab\there\"", "a string is malformed")]
    [InlineData("\"caf\u00e9\"", "a string is malformed")]
    [InlineData(":not base64!:", "a byte sequence is malformed")]
    [InlineData(":AQID", "a byte sequence is malformed")]
    [InlineData(":A:", "a byte sequence is malformed")]
    [InlineData(":AQ===:", "a byte sequence is malformed")]
    [InlineData("?2", "a boolean is malformed")]
    [InlineData("@at", "an item is malformed")]
    [InlineData("1;A=2", "a key is malformed")]
    [InlineData("1;=2", "a key is malformed")]
    [InlineData("1 2", "unexpected characters after the value")]
    [InlineData("é", "an item is malformed")]
    public void TryParseItem_Malformed_IsRefusedWithAFixedReason(string field, string reason)
    {
        Assert.False(StructuredFields.TryParseItem(field, out _, out var error));

        Assert.Equal(reason, error);
    }

    [Fact]
    public void TryParseDictionary_SignatureInputShape_ReadsMembersInnerListsAndParameters()
    {
        const string field = "sig1=(\"@method\" \"@path\";req \"content-digest\";sf);created=1618884473;keyid=\"k1\", sig2=:AQID:;x, flag;y=1";

        Assert.True(StructuredFields.TryParseDictionary(field, refuseDuplicateKeys: true, out var dictionary, out var error), error);

        Assert.Equal(["sig1", "sig2", "flag"], dictionary.Members.Select(m => m.Key));
        Assert.True(dictionary.TryGetValue("sig1", out var sig1));
        Assert.True(sig1.IsInnerList);
        Assert.Equal(["@method", "@path", "content-digest"], sig1.InnerList!.Items.Select(i => i.Value.Text));
        Assert.True(sig1.InnerList.Items[1].Parameters.Contains("req"));
        Assert.True(sig1.Parameters.TryGet("created", out var created));
        Assert.Equal(1618884473, created.Integer);
        Assert.True(dictionary.TryGetValue("flag", out var flag));
        Assert.True(flag.Item.Value.Boolean);
        Assert.Equal("sig1=(\"@method\" \"@path\";req \"content-digest\";sf);created=1618884473;keyid=\"k1\", sig2=:AQID:;x, flag;y=1",
            StructuredFields.Serialize(dictionary));
    }

    [Theory]
    [InlineData("a=1,b=2", "a=1, b=2")]
    [InlineData("a=1 ,\tb=2", "a=1, b=2")]
    [InlineData("a=( 1  2 )", "a=(1 2)")]
    [InlineData("a=()", "a=()")]
    [InlineData("a=?1", "a")]
    [InlineData("a=?0", "a=?0")]
    public void TryParseDictionary_Whitespace_IsAcceptedWhereTheRfcAllowsIt(string field, string expected)
    {
        Assert.True(StructuredFields.TryParseDictionary(field, out var dictionary, out var error), error);

        Assert.Equal(expected, StructuredFields.Serialize(dictionary));
    }

    [Fact]
    public void TryParseDictionary_DuplicateKeyByDefault_LastValueWinsInTheFirstPlace()
    {
        Assert.True(StructuredFields.TryParseDictionary("a=1, b=2, a=3", out var dictionary, out _));

        Assert.Equal("a=3, b=2", StructuredFields.Serialize(dictionary));
    }

    [Theory]
    [InlineData("sig1=(), sig1=()", "a key appears twice")]
    [InlineData("sig1=();created=1;created=2", "a parameter appears twice")]
    public void TryParseDictionary_DuplicateWhenRefused_IsRefused(string field, string reason)
    {
        Assert.False(StructuredFields.TryParseDictionary(field, refuseDuplicateKeys: true, out _, out var error));

        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("a=1,", "the field ends with a comma")]
    [InlineData("a=1 b=2", "members are not separated by a comma")]
    [InlineData("A=1", "a key is malformed")]
    [InlineData("1a=1", "a key is malformed")]
    [InlineData("a=(1 2", "an inner list is malformed")]
    [InlineData("a=(1,2)", "an inner list is malformed")]
    [InlineData("a=(\"x\"\"y\")", "an inner list is malformed")]
    [InlineData(",a=1", "a key is malformed")]
    public void TryParseDictionary_Malformed_IsRefused(string field, string reason)
    {
        Assert.False(StructuredFields.TryParseDictionary(field, out _, out var error));

        Assert.Equal(reason, error);
    }

    [Fact]
    public void TryParseDictionary_MissingOrEmpty_IsAnEmptyDictionary()
    {
        Assert.True(StructuredFields.TryParseDictionary(null, out var missing, out _));
        Assert.True(StructuredFields.TryParseDictionary("   ", out var blank, out _));

        Assert.Equal(0, missing.Count);
        Assert.Equal(0, blank.Count);
    }

    [Fact]
    public void TryParse_AtTheLimits_AcceptsAndOneMoreIsRefused()
    {
        var sixteenMembers = string.Join(", ", Enumerable.Range(0, 16).Select(i => $"k{i}=1"));
        var thirtyTwoItems = "a=(" + string.Join(' ', Enumerable.Range(0, 32)) + ")";
        var sixteenParameters = "1" + string.Concat(Enumerable.Range(0, 16).Select(i => $";p{i}"));
        var longest = "\"" + new string('x', StructuredFields.MaxFieldLength - 2) + "\"";

        Assert.True(StructuredFields.TryParseDictionary(sixteenMembers, out _, out _));
        Assert.True(StructuredFields.TryParseDictionary(thirtyTwoItems, out _, out _));
        Assert.True(StructuredFields.TryParseItem(sixteenParameters, out _, out _));
        Assert.True(StructuredFields.TryParseItem(longest, out _, out _));

        Assert.False(StructuredFields.TryParseDictionary(sixteenMembers + ", k16=1", out _, out var members));
        Assert.False(StructuredFields.TryParseList(string.Join(", ", Enumerable.Range(0, 17)), out _, out var listMembers));
        Assert.False(StructuredFields.TryParseDictionary("a=(" + string.Join(' ', Enumerable.Range(0, 33)) + ")", out _, out var items));
        Assert.False(StructuredFields.TryParseItem(sixteenParameters + ";p16", out _, out var parameters));
        Assert.False(StructuredFields.TryParseItem(longest + " ", out _, out var length));
        Assert.Equal("the field has more than 16 members", members);
        Assert.Equal("the field has more than 16 members", listMembers);
        Assert.Equal("an inner list has more than 32 items", items);
        Assert.Equal("an item has more than 16 parameters", parameters);
        Assert.Equal("the field is longer than 8192 characters", length);
    }

    [Fact]
    public void TryParseDictionary_HostileInput_NeverThrows()
    {
        var random = new Random(9421);
        const string alphabet = "abc=();,: \"\\?*-.0123456789:AQ+/=\t";
        for (var i = 0; i < 5_000; i++)
        {
            var field = new string(Enumerable.Range(0, random.Next(0, 60)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

            var parsed = StructuredFields.TryParseDictionary(field, refuseDuplicateKeys: true, out var dictionary, out var error);

            Assert.True(parsed ? error is null : error is not null);
            if (parsed)
            {
                // What parses re-serialises to something that parses to the same serialisation.
                var again = StructuredFields.Serialize(dictionary);
                Assert.True(StructuredFields.TryParseDictionary(again, out var reparsed, out _), again);
                Assert.Equal(again, StructuredFields.Serialize(reparsed));
            }
        }
    }

    [Fact]
    public void TryParseList_Members_ReadsItemsAndInnerLists()
    {
        Assert.True(StructuredFields.TryParseList("sugar, tea;q=0.5, (rum \"lemon\");x", out var list, out var error), error);

        Assert.Equal(3, list.Members.Count);
        Assert.True(list.Members[2].IsInnerList);
        Assert.Equal("sugar, tea;q=0.5, (rum \"lemon\");x", StructuredFields.Serialize(list));
    }

    [Fact]
    public void BareItem_Factories_RefuseWhatCannotBeSerialised()
    {
        Assert.Throws<ArgumentException>(() => SfBareItem.FromString("line\nbreak"));
        Assert.Throws<ArgumentException>(() => SfBareItem.FromToken("1starts-with-digit"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SfBareItem.FromInteger(1_000_000_000_000_000));
        Assert.Equal("\"quote\\\"d\"", SfBareItem.FromString("quote\"d").ToString());
    }
}
