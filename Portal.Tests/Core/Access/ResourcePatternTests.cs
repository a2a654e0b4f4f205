using Portal.Core.Access;

namespace Portal.Tests.Core.Access;

public sealed class ResourcePatternTests
{
    [Theory]
    [InlineData("asset/eu-*", "asset/eu-17", true)]
    [InlineData("asset/eu-*", "asset/eu-", true)]
    [InlineData("asset/eu-*", "asset/us-17", false)]
    [InlineData("asset/*-archive", "asset/eu-1-archive", true)]
    [InlineData("asset/*-archive", "asset/eu-1-archived", false)]
    [InlineData("*/eu-*", "invoice/eu-9", true)]
    [InlineData("asset/17", "asset/17", true)]
    [InlineData("asset/17", "asset/170", false)]
    [InlineData("asset/*", "asset/a/b", true)]
    [InlineData("asset/**", "asset/x", true)]
    public void Matches(string pattern, string value, bool expected) =>
        Assert.Equal(expected, ResourcePattern.Matches(pattern, value));

    [Theory]
    [InlineData("asset/eu-*", true)]
    [InlineData("invoice/*", true)]
    [InlineData("asset", false)]
    [InlineData("/eu-1", false)]
    [InlineData("Asset/1", false)]
    [InlineData("asset/with space", false)]
    [InlineData("", false)]
    public void IsValidPattern(string pattern, bool expected) =>
        Assert.Equal(expected, ResourcePattern.IsValidPattern(pattern));
}
