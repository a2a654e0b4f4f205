using Portal.Core.Apis;

namespace Portal.Tests.Core.Apis;

/// <summary>
/// The canonical request target every decision uses: escapes of unreserved characters decoded, the
/// query dropped, and anything an upstream could read as another path refused before any rule is matched.
/// </summary>
public sealed class RequestTargetTests
{
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

    [Fact]
    public void CanonicalPath_LongerThanTheMaximum_IsRefused() =>
        Assert.Null(RequestTarget.CanonicalPath("/" + new string('a', RequestTarget.MaxPathLength)));

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("HEAD", "GET")]
    [InlineData("head", "GET")]
    [InlineData("delete", "DELETE")]
    [InlineData("PURGE", "PURGE")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("GE T", null)]
    [InlineData("GET\r\n", null)]
    [InlineData("VERYLONGMETHODNAME", null)]
    public void CanonicalMethod_HeadIsGet_NonTokensAreRefused(string? method, string? canonical) =>
        Assert.Equal(canonical, RequestTarget.CanonicalMethod(method));
}
