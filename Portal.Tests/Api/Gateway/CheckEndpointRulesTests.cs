using System.Net;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// The check endpoint without a scope in its URL: the organization's endpoint rules name the scope
/// for the original method and path; unmatched requests are denied unless the organization allows them.
/// </summary>
public abstract class CheckEndpointRulesTests(DoorApp app)
{
    [Theory]
    [InlineData("GET", "/orders/42", HttpStatusCode.OK, "VALID")]
    [InlineData("GET", "/orders/42?expand=lines", HttpStatusCode.OK, "VALID")]
    [InlineData("DELETE", "/orders/42", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/orders/export", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/invoices/1", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/orders/../orders/export", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    public async Task Check_OriginalRequest_IsMatchedAgainstRules(string method, string uri, HttpStatusCode status, string code)
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        await app.AddRuleAsync(owner, "DELETE", "/orders/{id}", "orders:admin");
        await app.AddRuleAsync(owner, "GET", "/orders/export", "orders:admin");
        var issued = await app.CreateKeyAsync(owner, ["orders:write"]);

        using var response = await SendAsync(Check(issued.Token, method, uri));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Check_PathSuffixForm_UsesTheSuffixAndMethod()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "POST", "/orders/{id}/refund", "orders:refund");
        var refunder = await app.CreateKeyAsync(owner, ["orders:refund"]);
        var reader = await app.CreateKeyAsync(owner, ["orders:admin"]);

        using var allowed = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/check/orders/7/refund").WithBearer(refunder.Token));
        using var denied = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/check/orders/7/refund").WithBearer(reader.Token));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task Check_Unmatched_DeniedByDefault_AllowedOnceTheOrganizationChoosesIt()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, []);

        using (var before = await SendAsync(Check(issued.Token, "GET", "/anything")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        await app.AllowUnmatchedAsync(owner);

        using var after = await SendAsync(Check(issued.Token, "GET", "/anything"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Check_AmbiguousPath_DeniedEvenWhenUnmatchedRequestsAreAllowed()
    {
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await SendAsync(Check(issued.Token, "GET", "/public/%2e%2e/admin"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Check_NewRule_AppliesFromTheNextRequest()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["reports:read"]);
        using (var before = await SendAsync(Check(issued.Token, "GET", "/reports/1")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        await app.AddRuleAsync(owner, "GET", "/reports/{id}", "reports:read");

        using var after = await SendAsync(Check(issued.Token, "GET", "/reports/1"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Check_GrantOutsideItsWindow_Returns403OutsideTimeWindow()
    {
        var owner = await app.NewUserAsync();
        var now = app.Clock.GetUtcNow();
        var window = new AccessSchedule(NotBefore: now.AddHours(1));
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("later", Grants: [new Grant("orders:read", Schedule: window)]));

        using var early = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read").WithBearer(issued.Token));
        app.Clock.Advance(TimeSpan.FromHours(2));
        using var later = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);
        Assert.Equal("OUTSIDE_TIME_WINDOW", early.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    private static HttpRequestMessage Check(string token, string method, string uri) =>
        new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check")
            .WithBearer(token)
            .WithRawHeader("X-Original-Method", method)
            .WithRawHeader("X-Original-URI", uri);

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => app.AnonymousClient().SendAsync(request);
}

public sealed class SqliteCheckEndpointRulesTests(SqliteDoorApp app) : CheckEndpointRulesTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpointRulesTests(PostgreSqlDoorApp app) : CheckEndpointRulesTests(app), IClassFixture<PostgreSqlDoorApp>;
