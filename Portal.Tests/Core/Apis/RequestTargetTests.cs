using System.Globalization;
using System.Text;
using Portal.Core.Apis;

namespace Portal.Tests.Core.Apis;

/// <summary>The canonical request target: what is decoded, what is refused, and that the common case allocates nothing.</summary>
public sealed class RequestTargetTests
{
    [Theory]
    [MemberData(nameof(CanonicalVectors.Data), MemberType = typeof(CanonicalVectors))]
    public void CanonicalPath_Vector_IsDecodedOrRefused(CanonicalVector vector)
    {
        Assert.Equal(vector.CanonicalPath, RequestTarget.CanonicalPath(vector.Target));
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/orders/42", "/orders/42")]
    [InlineData("/orders/", "/orders/")]
    [InlineData("/orders/42?expand=lines", "/orders/42")]
    [InlineData("/orders/42?", "/orders/42")]
    [InlineData("/%6Frders/%34%32", "/orders/42")]
    [InlineData("/caf%c3%a9", "/caf%C3%A9")]
    [InlineData("/files/a%20b", "/files/a%20b")]
    public void CanonicalPath_DecodesUnreservedAndDropsTheQuery(string target, string canonical) =>
        Assert.Equal(canonical, RequestTarget.CanonicalPath(target));

    [Theory]
    [InlineData("/orders/../admin")]
    [InlineData("/orders/./42")]
    [InlineData("/orders/..")]
    [InlineData("/orders/42.")]
    [InlineData("/orders//42")]
    [InlineData("//orders")]
    [InlineData("/orders/%2e%2e/admin")]
    [InlineData("/orders/%2E./admin")]
    [InlineData("/orders/42%2Frefund")]
    [InlineData("/orders/42%2frefund")]
    [InlineData("/orders/42%5Crefund")]
    [InlineData("/orders/%2541")]
    [InlineData("/orders\\42")]
    [InlineData("/orders;jsessionid=1/42")]
    [InlineData("/orders/42%00")]
    [InlineData("/orders/4\u00002")]
    [InlineData("/orders/%c0%af")]
    [InlineData("/orders/%ed%a0%80")]
    [InlineData("/orders/%zz")]
    [InlineData("/orders/caf\u00e9")]
    [InlineData("orders/42")]
    [InlineData("")]
    public void CanonicalPath_PathAnUpstreamMayReadDifferently_IsRefused(string target) =>
        Assert.Null(RequestTarget.CanonicalPath(target));

    [Theory]
    [InlineData("/")]
    [InlineData("/orders")]
    [InlineData("/.well-known/jwks.json")]
    [InlineData("/a-b_c~d/e.f/%20x/%C3%A9")]
    [InlineData("/!$&'()*+,=:@")]
    public void CanonicalPath_AlreadyCanonical_IsTheSameInstance(string path)
    {
        Assert.Same(path, RequestTarget.CanonicalPath(path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("orders/7")]
    [InlineData("*")]
    [InlineData("http://evil.example/orders")]
    [InlineData("/orders/7#fragment")]
    [InlineData("/orders\\7")]
    [InlineData("/orders/\u00e9")]
    [InlineData("/orders/a b")]
    [InlineData("/orders/\u007f")]
    [InlineData("/%")]
    [InlineData("/%4")]
    [InlineData("/%F5%80%80%80")]
    [InlineData("/%F4%90%80%80")]
    [InlineData("/%E0%80%AF")]
    [InlineData("/%80")]
    [InlineData("/%2e")]
    [InlineData("/a/%2E")]
    [InlineData("/a.%2e/b")]
    public void CanonicalPath_Ambiguous_IsRefused(string target)
    {
        Assert.Null(RequestTarget.CanonicalPath(target));
    }

    [Fact]
    public void CanonicalPath_LongerThanTheMaximum_IsRefused()
    {
        Assert.NotNull(RequestTarget.CanonicalPath("/" + new string('a', RequestTarget.MaxPathLength - 1)));
        Assert.Null(RequestTarget.CanonicalPath("/" + new string('a', RequestTarget.MaxPathLength)));
    }

    [Fact]
    public void CanonicalPath_InsideALongerTarget_ReadsFromTheStart()
    {
        const string raw = "/api/v1/auth/ext-authz/api_x/%6Frders/7?page=2";

        Assert.Equal("/orders/7", RequestTarget.CanonicalPath(raw, raw.IndexOf("/%6F", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("HEAD", "GET")]
    [InlineData("head", "GET")]
    [InlineData("delete", "DELETE")]
    [InlineData("PROPFIND", "PROPFIND")]
    [InlineData("", null)]
    [InlineData("GET /", null)]
    [InlineData("G\u00c9T", null)]
    [InlineData("VERYLONGMETHODNAME", null)]
    public void CanonicalMethod_IsUpperCaseTokenWithHeadAsGet(string method, string? expected)
    {
        Assert.Equal(expected, RequestTarget.CanonicalMethod(method));
    }

    [Fact]
    public void SeparatorLookalikes_HoldEveryCharacterThisRuntimeNormalisesToASeparatorOrALookalike()
    {
        var lookalikes = RequestTarget.SeparatorLookalikes;
        var targets = "./\\%" + string.Concat(lookalikes.Where(c => c <= 0xFFFF).Select(c => (char)c));
        Assert.Equal(lookalikes.Order(), lookalikes);
        for (var c = 0x80; c <= 0x10FFFF; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }

            var text = char.ConvertFromUtf32(c);
            var normal = text.Normalize(NormalizationForm.FormKC);
            if (normal != text && (normal.AsSpan().IndexOfAny(targets) >= 0 || string.IsNullOrWhiteSpace(normal)))
            {
                Assert.True(Array.BinarySearch(lookalikes, c) >= 0, $"U+{c:X4} normalises to a separator, a look-alike or a space but is not refused.");
            }
        }
    }

    [Fact]
    public void CanonicalPath_SteadyTraffic_AllocatesNothing()
    {
        // Built at run time, as a header value is.
        var canonical = string.Concat("/orders/", "4711");
        var withQuery = string.Concat("/orders/4711", "?expand=lines");
        RequestTarget.CanonicalPath(withQuery);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            RequestTarget.CanonicalPath(canonical);
            RequestTarget.CanonicalPath(withQuery);
            RequestTarget.CanonicalMethod("GET");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
