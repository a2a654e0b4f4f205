using System.Text;
using Microsoft.AspNetCore.Http;
using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>The derived components, the field parameters (sf, key, bs) and the refusals of the signature base.</summary>
public sealed class SignatureBaseTests
{
    [Fact]
    public void TryCreate_EveryRequestDerivedComponent_WritesItsValue()
    {
        var message = Message(query: "a=1&b=two%20words");

        var signatureBase = Base(message, "(\"@method\" \"@authority\" \"@scheme\" \"@target-uri\" \"@request-target\" \"@path\" \"@query\")");

        Assert.Equal(
            "\"@method\": POST\n" +
            "\"@authority\": api.example.com:8443\n" +
            "\"@scheme\": https\n" +
            "\"@target-uri\": https://api.example.com:8443/orders/42?a=1&b=two%20words\n" +
            "\"@request-target\": /orders/42?a=1&b=two%20words\n" +
            "\"@path\": /orders/42\n" +
            "\"@query\": ?a=1&b=two%20words\n" +
            "\"@signature-params\": (\"@method\" \"@authority\" \"@scheme\" \"@target-uri\" \"@request-target\" \"@path\" \"@query\")",
            signatureBase);
    }

    [Fact]
    public void TryCreate_NoQuery_QueryIsTheQuestionMarkAlone()
    {
        var signatureBase = Base(Message(query: null), "(\"@query\" \"@request-target\")");

        Assert.Equal("\"@query\": ?\n\"@request-target\": /orders/42\n\"@signature-params\": (\"@query\" \"@request-target\")", signatureBase);
    }

    [Theory]
    [InlineData("Pet", "param=Value&Pet=dog", "dog")]
    [InlineData("qux", "baz=batman&qux=", "")]
    [InlineData("var", "var=this%20is%20a%20big%0Amultiline%20value", "this%20is%20a%20big%0Amultiline%20value")]
    [InlineData("bar", "bar=with+plus+whitespace", "with%20plus%20whitespace")]
    [InlineData("fa%C3%A7ade%22%3A%20", "fa%C3%A7ade%22%3A%20=something", "something")]
    [InlineData("tilde", "tilde=a~b!c'd(e)f*g", "a%7Eb%21c%27d%28e%29f*g")]
    [InlineData("k", "k=%zz&&other=1", "%25zz")]
    public void TryCreate_QueryParam_IsDecodedAndReEncodedAsTheWhatwgFormRulesSay(string encodedName, string query, string expected)
    {
        var signatureBase = Base(Message(query: query), $"(\"@query-param\";name=\"{encodedName}\")");

        Assert.StartsWith($"\"@query-param\";name=\"{encodedName}\": {expected}\n", signatureBase, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(\"@query-param\";name=\"missing\")", "a covered query parameter is absent")]
    [InlineData("(\"@query-param\";name=\"a\")", "a covered query parameter appears more than once")]
    [InlineData("(\"@query-param\")", "@query-param needs a name parameter")]
    [InlineData("(\"@method\" \"@method\")", "a covered component is listed twice")]
    [InlineData("(\"content-digest\";sf \"content-digest\";sf)", "a covered component is listed twice")]
    [InlineData("(\"@method\";req)", "the req parameter is not supported")]
    [InlineData("(\"date\";req)", "the req parameter is not supported")]
    [InlineData("(\"date\";tr)", "the tr parameter is not supported")]
    [InlineData("(\"date\";foo)", "a covered component has an unknown parameter")]
    [InlineData("(\"@path\";name=\"x\")", "a covered component has an unknown parameter")]
    [InlineData("(\"@nonsense\")", "a covered component is an unknown derived component")]
    [InlineData("(\"@signature-params\")", "@signature-params cannot be covered")]
    [InlineData("(\"@status\")", "@status is only for responses")]
    [InlineData("(\"x-absent\")", "a covered field is absent")]
    [InlineData("(\"Date\")", "a covered field name is not a lower-case field name")]
    [InlineData("(method)", "a covered component is not a string")]
    [InlineData("(\"date\";sf)", "sf is only for known structured fields")]
    [InlineData("(\"date\";key=\"a\")", "key is only for dictionary fields")]
    [InlineData("(\"content-digest\";key=\"sha-256\")", "a covered dictionary member is absent")]
    [InlineData("(\"content-digest\";bs;sf)", "bs cannot be combined with sf or key")]
    [InlineData("(\"priority\";sf)", "a covered structured field is malformed")]
    [InlineData("(\"x-control\")", "a covered value holds characters outside printable ASCII")]
    [InlineData("(\"x-latin\")", "a covered value holds characters outside printable ASCII")]
    public void TryCreate_RefusedComponent_SaysWhy(string components, string reason)
    {
        var message = Message(query: "a=1&a=2");

        Assert.True(StructuredFields.TryParseDictionary("sig=" + components, out var dictionary, out var error), error);
        Assert.False(SignatureBase.TryCreate(message, dictionary.Members[0].Value.InnerList!, out _, out error));

        Assert.Equal(reason, error);
    }

    [Fact]
    public void TryCreate_FieldWithSeveralLines_TrimsEachAndJoinsWithCommaSpace()
    {
        var message = Message(headers: new HeaderDictionary { ["X-Multi"] = new(["  one ", "\ttwo\t", "three"]) });

        Assert.StartsWith("\"x-multi\": one, two, three\n", Base(message, "(\"x-multi\")"), StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_SfAndKey_ReSerialiseTheDictionaryStrictly()
    {
        // RFC 9421 section 2.1.1 and 2.1.2's example-dict, under a dictionary field this product knows.
        var message = Message(headers: new HeaderDictionary { ["Priority"] = "  a=1,    b=2;x=1;y=2,   c=(a   b   c)  " });

        var signatureBase = Base(message, "(\"priority\" \"priority\";sf \"priority\";key=\"a\" \"priority\";key=\"b\" \"priority\";key=\"c\")");

        Assert.Equal(
            "\"priority\": a=1,    b=2;x=1;y=2,   c=(a   b   c)\n" +
            "\"priority\";sf: a=1, b=2;x=1;y=2, c=(a b c)\n" +
            "\"priority\";key=\"a\": 1\n" +
            "\"priority\";key=\"b\": 2;x=1;y=2\n" +
            "\"priority\";key=\"c\": (a b c)\n" +
            "\"@signature-params\": (\"priority\" \"priority\";sf \"priority\";key=\"a\" \"priority\";key=\"b\" \"priority\";key=\"c\")",
            signatureBase);
    }

    [Fact]
    public void TryCreate_Bs_WrapsEachLineAsAByteSequence()
    {
        // RFC 9421 section 2.1.3's example field.
        var message = Message(headers: new HeaderDictionary { ["Example-Header"] = new(["value, with, lots", "of, commas"]) });

        Assert.StartsWith("\"example-header\";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:\n",
            Base(message, "(\"example-header\";bs)"), StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_SignatureParameters_AreReSerialisedInTheirOrder()
    {
        var signatureBase = Base(Message(), "(\"@method\");nonce=\"n-1\";keyid=\"k\";created=1700000000;expires=1700000300;alg=\"hmac-sha256\";tag=\"apikey\"");

        Assert.EndsWith("\"@signature-params\": (\"@method\");nonce=\"n-1\";keyid=\"k\";created=1700000000;expires=1700000300;alg=\"hmac-sha256\";tag=\"apikey\"",
            signatureBase, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_HugeField_IsRefusedAsTooLarge()
    {
        var big = new string('x', 20_000);
        var message = Message(headers: new HeaderDictionary { ["X-A"] = big, ["X-B"] = big, ["X-C"] = big, ["X-D"] = big });

        Assert.True(StructuredFields.TryParseDictionary("s=(\"x-a\" \"x-b\" \"x-c\" \"x-d\")", out var dictionary, out _));
        Assert.False(SignatureBase.TryCreate(message, dictionary.Members[0].Value.InnerList!, out _, out var error));

        Assert.Equal("the signature base is too large", error);
    }

    private static string Base(SignedMessage message, string innerList)
    {
        Assert.True(StructuredFields.TryParseDictionary("sig=" + innerList, out var dictionary, out var error), error);
        Assert.True(SignatureBase.TryCreate(message, dictionary.Members[0].Value.InnerList!, out var bytes, out error), error);
        return Encoding.ASCII.GetString(bytes);
    }

    private static SignedMessage Message(string? query = null, IHeaderDictionary? headers = null) => new()
    {
        Method = "POST",
        Authority = "api.example.com:8443",
        Path = "/orders/42",
        Query = query,
        Headers = headers ?? new HeaderDictionary
        {
            ["Date"] = "Tue, 20 Apr 2021 02:07:55 GMT",
            ["Content-Digest"] = Rfc9421Vectors.RequestContentDigest,
            ["X-Control"] = "bell\u0007",
            ["X-Latin"] = "caf\u00e9",
            ["Priority"] = "a=(",
        },
    };
}
