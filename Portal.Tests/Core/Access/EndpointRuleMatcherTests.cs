using Portal.Core.Access;

namespace Portal.Tests.Core.Access;

/// <summary>Endpoint rules: specific templates over general ones, exact methods over any, refused paths.</summary>
public sealed class EndpointRuleMatcherTests
{
    private static readonly EndpointRuleMatcher Rules = new(
    [
        new(Guid.NewGuid(), "GET", "/orders", "orders:read"),
        new(Guid.NewGuid(), "GET", "/orders/{id}", "orders:read"),
        new(Guid.NewGuid(), "*", "/orders/{id}", "orders:write"),
        new(Guid.NewGuid(), "POST", "/orders/{id}/refund", "orders:refund"),
        new(Guid.NewGuid(), "GET", "/orders/export", "orders:admin"),
        new(Guid.NewGuid(), "*", "/files/{**rest}", "files:read"),
        new(Guid.NewGuid(), "PUT", "/files/{**rest}", "files:write"),
        new(Guid.NewGuid(), "GET", "/files/{id}/meta", "files:meta"),
        new(Guid.NewGuid(), "GET", "/", "root:read"),
    ], allowUnmatched: false);

    [Theory]
    [InlineData("GET", "/orders", "orders:read")]
    [InlineData("GET", "/orders/", "orders:read")]
    [InlineData("GET", "/orders/42", "orders:read")]
    [InlineData("get", "/orders/42", "orders:read")]
    [InlineData("DELETE", "/orders/42", "orders:write")]
    [InlineData("GET", "/orders/export", "orders:admin")]
    [InlineData("POST", "/orders/export", "orders:write")]
    [InlineData("POST", "/orders/42/refund", "orders:refund")]
    [InlineData("GET", "/orders/42?expand=items", "orders:read")]
    [InlineData("GET", "/files", "files:read")]
    [InlineData("GET", "/files/a/b/c.txt", "files:read")]
    [InlineData("PUT", "/files/a/b/c.txt", "files:write")]
    [InlineData("GET", "/files/7/meta", "files:meta")]
    [InlineData("GET", "/", "root:read")]
    public void Match_MostSpecificRuleWins(string method, string path, string scope) =>
        Assert.Equal(scope, Rules.Rules[Rules.Match(method, path)].Scope);

    [Theory]
    [InlineData("POST", "/orders")]
    [InlineData("GET", "/orders/42/items")]
    [InlineData("GET", "/invoices")]
    [InlineData("POST", "/")]
    public void Match_NoRule_ReturnsNoMatch(string method, string path) =>
        Assert.Equal(EndpointRuleMatcher.NoMatch, Rules.Match(method, path));

    [Theory]
    [InlineData("/orders/../admin")]
    [InlineData("/orders/./42")]
    [InlineData("/orders//42")]
    [InlineData("/orders/%2e%2e/admin")]
    [InlineData("/orders/42%2Frefund")]
    [InlineData("/orders\\42")]
    [InlineData("orders/42")]
    [InlineData("")]
    public void Match_PathAnUpstreamMayReadDifferently_IsRefused(string path) =>
        Assert.Equal(EndpointRuleMatcher.Refused, Rules.Match("GET", path));

    [Theory]
    [InlineData("orders/{id}")]
    [InlineData("/orders/{id}?x=1")]
    [InlineData("/orders//{id}")]
    [InlineData("/orders/../x")]
    [InlineData("/orders/{}")]
    [InlineData("/orders/{id")]
    [InlineData("/orders/x{id}")]
    [InlineData("/orders/{id}/{id}")]
    [InlineData("/files/{**rest}/meta")]
    [InlineData("/orders/with space")]
    [InlineData("/orders/%41")]
    [InlineData("")]
    public void TryParse_TemplateThatCannotMatch_IsRefusedWithAReason(string template)
    {
        Assert.Null(PathTemplate.TryParse(template, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Shape_IgnoresParameterNames()
    {
        Assert.Equal(PathTemplate.TryParse("/orders/{id}", out _)!.Shape, PathTemplate.TryParse("/orders/{orderId}/", out _)!.Shape);
    }
}
