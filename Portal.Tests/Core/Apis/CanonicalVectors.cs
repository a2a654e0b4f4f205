namespace Portal.Tests.Core.Apis;

/// <summary>
/// One request as a client sends it, with the canonical path it is decided on (null: refused) and
/// the reason code every door gives it for <see cref="CanonicalVectors.KeyScopes"/> against
/// <see cref="CanonicalVectors.Rules"/>.
/// </summary>
public sealed record CanonicalVector(string Name, string Method, string Target, string? CanonicalPath, string Code, string? OverrideHeader = null)
{
    public override string ToString() => Name;
}

/// <summary>The canonicalisation vectors every door and the test-access tool must answer alike.</summary>
public static class CanonicalVectors
{
    /// <summary>The API's rules: (method, template, scope).</summary>
    public static readonly (string Method, string Template, string Scope)[] Rules =
    [
        ("GET", "/orders/{id}", "orders:read"),
        ("DELETE", "/orders/{id}", "orders:admin"),
        ("GET", "/public/{**rest}", "public:read"),
    ];

    /// <summary>What the key holds: it may read orders and public pages, never delete orders.</summary>
    public static readonly string[] KeyScopes = ["orders:read", "public:read"];

    public static readonly CanonicalVector[] All =
    [
        new("plain", "GET", "/orders/7", "/orders/7", "VALID"),
        new("query ignored", "GET", "/orders/7?scope=orders:admin", "/orders/7", "VALID"),
        new("trailing slash", "GET", "/orders/7/", "/orders/7/", "VALID"),
        new("encoded letter", "GET", "/%6Frders/7", "/orders/7", "VALID"),
        new("encoded letter on a denied route", "DELETE", "/%6frders/7", "/orders/7", "INSUFFICIENT_SCOPE"),
        new("mixed case", "GET", "/Orders/7", "/Orders/7", "VALID"),
        new("mixed case on a denied route", "DELETE", "/ORDERS/7", "/ORDERS/7", "INSUFFICIENT_SCOPE"),
        new("lower-case method", "delete", "/orders/7", "/orders/7", "INSUFFICIENT_SCOPE"),
        new("HEAD decided as GET", "HEAD", "/orders/7", "/orders/7", "VALID"),
        new("no rule", "GET", "/invoices/1", "/invoices/1", "NO_MATCHING_RULE"),
        new("valid UTF-8 stays encoded", "GET", "/public/caf%c3%a9", "/public/caf%C3%A9", "VALID"),
        new("semicolon parameter", "DELETE", "/orders;x=1/7", null, "PATH_NOT_CANONICAL"),
        new("dot-dot", "GET", "/public/../orders/7", null, "PATH_NOT_CANONICAL"),
        new("dot", "GET", "/public/./orders/7", null, "PATH_NOT_CANONICAL"),
        new("encoded dot-dot", "DELETE", "/public/%2e%2e/orders/7", null, "PATH_NOT_CANONICAL"),
        new("upper-case encoded dot-dot", "GET", "/public/%2E%2E/admin", null, "PATH_NOT_CANONICAL"),
        new("double slash", "GET", "//orders/7", null, "PATH_NOT_CANONICAL"),
        new("empty segment", "GET", "/public//x", null, "PATH_NOT_CANONICAL"),
        new("trailing dot", "DELETE", "/orders./7", null, "PATH_NOT_CANONICAL"),
        new("NUL", "GET", "/orders/7%00", null, "PATH_NOT_CANONICAL"),
        new("control character", "GET", "/orders/7%0A", null, "PATH_NOT_CANONICAL"),
        new("encoded slash", "GET", "/public/a%2Forders", null, "PATH_NOT_CANONICAL"),
        new("encoded backslash", "GET", "/public/a%5C..%5Corders", null, "PATH_NOT_CANONICAL"),
        new("encoded percent", "GET", "/public/%252e%252e", null, "PATH_NOT_CANONICAL"),
        new("overlong UTF-8 dot", "GET", "/public/%C0%AE%C0%AE/orders", null, "PATH_NOT_CANONICAL"),
        new("UTF-16 surrogate", "GET", "/public/%ED%A0%80", null, "PATH_NOT_CANONICAL"),
        new("truncated UTF-8", "GET", "/public/caf%C3", null, "PATH_NOT_CANONICAL"),
        new("bad escape", "GET", "/public/%zz", null, "PATH_NOT_CANONICAL"),
        new("fullwidth dots", "GET", "/public/%EF%BC%8E%EF%BC%8E/orders/7", null, "PATH_NOT_CANONICAL"),
        new("one-dot leaders", "GET", "/public/%E2%80%A4%E2%80%A4/orders/7", null, "PATH_NOT_CANONICAL"),
        new("fullwidth solidus", "GET", "/public/x%EF%BC%8Forders", null, "PATH_NOT_CANONICAL"),
        new("ideographic full stops", "GET", "/public/%E3%80%82%E3%80%82/admin", null, "PATH_NOT_CANONICAL"),
        new("trailing encoded space", "GET", "/orders%20/7", null, "PATH_NOT_CANONICAL"),
        new("_method in the query", "GET", "/orders/7?_method=DELETE", "/orders/7", "PATH_NOT_CANONICAL"),
        new("encoded _method in the query", "GET", "/orders/7?x=1&%5Fmethod=DELETE", "/orders/7", "PATH_NOT_CANONICAL"),
        new("vulgar fraction (NFKC: fraction slash)", "GET", "/public/%C2%BD", null, "PATH_NOT_CANONICAL"),
        new("presentation form of an ideographic stop", "GET", "/public/1%EF%B8%92", null, "PATH_NOT_CANONICAL"),
        new("no-break space", "GET", "/orders%C2%A0/7", null, "PATH_NOT_CANONICAL"),
        new("PHP's .method", "GET", "/orders/7?.method=DELETE", "/orders/7", "PATH_NOT_CANONICAL"),
        new("PHP's [method", "GET", "/orders/7?[method=DELETE", "/orders/7", "PATH_NOT_CANONICAL"),
        new("_method after a semicolon", "GET", "/orders/7?x=1;_method=DELETE", "/orders/7", "PATH_NOT_CANONICAL"),
        new("_method[] array", "GET", "/orders/7?_method[]=DELETE", "/orders/7", "PATH_NOT_CANONICAL"),
        new("empty query", "GET", "/orders/7?", "/orders/7", "VALID"),
        new("trailing ampersand", "GET", "/orders/7?a=1&", "/orders/7", "VALID"),
        new("parameter without a name", "GET", "/orders/7?=1", "/orders/7", "VALID"),
        new("empty parameters", "GET", "/orders/7?a&&b", "/orders/7", "VALID"),
        new("name that is only NUL", "GET", "/orders/7?%00=1", "/orders/7", "VALID"),
        new("X-HTTP-Method-Override", "GET", "/orders/7", "/orders/7", "PATH_NOT_CANONICAL", "X-HTTP-Method-Override"),
        new("X-HTTP-Method", "GET", "/orders/7", "/orders/7", "PATH_NOT_CANONICAL", "X-HTTP-Method"),
        new("X-Method-Override", "GET", "/orders/7", "/orders/7", "PATH_NOT_CANONICAL", "X-Method-Override"),
    ];

    public static TheoryData<CanonicalVector> Data() => [.. All];

    /// <summary>The vectors with no method-override header: the ones a form or a JSON body can express.</summary>
    public static TheoryData<CanonicalVector> WithoutHeaders() => [.. All.Where(v => v.OverrideHeader is null)];
}
