using Portal.Core.Access;

namespace Portal.Tests.Core.Access;

/// <summary>
/// Endpoint rules on canonical paths (see <see cref="Portal.Core.Apis.RequestTarget"/>, which refuses the
/// rest before any rule is matched): specific templates over general ones, exact methods over any,
/// literals case-insensitive unless the API asks for exact case.
/// </summary>
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
    [InlineData("GET", "/ORDERS/export", "orders:admin")]
    [InlineData("GET", "/Orders/Export", "orders:admin")]
    [InlineData("POST", "/orders/42/REFUND", "orders:refund")]
    [InlineData("GET", "/FILES/7/Meta", "files:meta")]
    public void Match_LiteralsByDefault_IgnoreCase(string method, string path, string scope) =>
        Assert.Equal(scope, Rules.Rules[Rules.Match(method, path)].Scope);

    [Fact]
    public void Match_LiteralInOtherCase_StillWinsOverAParameter()
    {
        // A parameter matches any segment: "/orders/EXPORT" is the export rule only because literals ignore case.
        Assert.Equal("orders:read", Rules.Rules[Rules.Match("GET", "/orders/AbC")].Scope);
        Assert.Equal("orders:admin", Rules.Rules[Rules.Match("GET", "/orders/EXPORT")].Scope);
    }

    [Theory]
    [InlineData("GET", "/orders/export", "orders:admin")]
    [InlineData("GET", "/orders/Export", "orders:read")]
    [InlineData("GET", "/Orders/42", null)]
    [InlineData("POST", "/orders/42/refund", "orders:refund")]
    [InlineData("POST", "/orders/42/Refund", null)]
    [InlineData("GET", "/Files/a.txt", null)]
    public void Match_CaseSensitiveApi_MatchesLiteralsWithExactCaseOnly(string method, string path, string? scope)
    {
        var exact = new EndpointRuleMatcher(Rules.Rules, allowUnmatched: false, caseSensitive: true);

        var index = exact.Match(method, path);

        Assert.Equal(scope, index == EndpointRuleMatcher.NoMatch ? null : exact.Rules[index].Scope);
    }

    [Theory]
    [InlineData("/Orders/{id}", "GET", "/orders/1")]
    [InlineData("/orders/{id}", "GET", "/ORDERS/1")]
    public void Match_TemplateCaseAgainstPathCase_MattersOnlyUnderExactCase(string template, string method, string path)
    {
        var rules = new EndpointRuleMatcher([new(Guid.NewGuid(), "GET", template, "orders:read")], allowUnmatched: false);
        var exact = new EndpointRuleMatcher(rules.Rules, allowUnmatched: false, caseSensitive: true);

        Assert.Equal(0, rules.Match(method, path));
        Assert.Equal(EndpointRuleMatcher.NoMatch, exact.Match(method, path));
    }

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
