using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// The gateway door without a scope in its URL: the API's endpoint rules name the scope for the
/// original method and canonical path (from a trusted proxy's <c>X-Original-*</c> in the header
/// form, from the request target in the path form); unmatched requests are denied unless the API
/// allows them; a target that is not canonical is refused before any rule is matched.
/// </summary>
public abstract class CheckEndpointRulesTests(DoorApp app)
{
    private const string TrustedProxy = "10.0.0.5";

    [Theory]
    [InlineData("GET", "/orders/42", HttpStatusCode.OK, "VALID")]
    [InlineData("GET", "/orders/42?expand=lines", HttpStatusCode.OK, "VALID")]
    [InlineData("HEAD", "/orders/42", HttpStatusCode.OK, "VALID")]
    [InlineData("GET", "/ORDERS/42", HttpStatusCode.OK, "VALID")]
    [InlineData("GET", "/%6Frders/42", HttpStatusCode.OK, "VALID")]
    [InlineData("DELETE", "/orders/42", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/orders/export", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/Orders/EXPORT", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/orders/%65xport", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/invoices/1", HttpStatusCode.Forbidden, "NO_MATCHING_RULE")]
    [InlineData("PUT", "/orders/42", HttpStatusCode.Forbidden, "NO_MATCHING_RULE")]
    [InlineData("GET", "/orders/../orders/export", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    [InlineData("GET", "/orders/42/..", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    [InlineData("GET", "/orders/42;x=1", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    [InlineData("GET", "/orders//42", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    [InlineData("GET", "/orders/42%2Fexport", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    [InlineData("GET", "orders/42", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    [InlineData("GET", "/orders/4%002", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    [InlineData("GE T", "/orders/42", HttpStatusCode.Forbidden, "PATH_NOT_CANONICAL")]
    public async Task Check_OriginalRequest_IsMatchedAgainstRules(string method, string uri, HttpStatusCode status, string code)
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        await app.AddRuleAsync(owner, "DELETE", "/orders/{id}", "orders:admin");
        await app.AddRuleAsync(owner, "GET", "/orders/export", "orders:admin");
        var issued = await app.CreateKeyAsync(owner, ["orders:write"]);

        using var response = await SendAsync(await CheckAsync(owner, issued.Token, method, uri));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task ExtAuthz_UsesTheClientsPathAndTheRequestsMethod()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "POST", "/orders/{id}/refund", "orders:refund");
        var refunder = await app.CreateKeyAsync(owner, ["orders:refund"]);
        var reader = await app.CreateKeyAsync(owner, ["orders:admin"]);
        var url = await app.ExtAuthzUrlAsync(owner, "/orders/7/refund?reason=damaged");

        using var allowed = await SendAsync(new HttpRequestMessage(HttpMethod.Post, url).WithBearer(refunder.Token));
        using var denied = await SendAsync(new HttpRequestMessage(HttpMethod.Post, url).WithBearer(reader.Token));
        using var otherMethod = await SendAsync(new HttpRequestMessage(HttpMethod.Put, url).WithBearer(refunder.Token));

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("INSUFFICIENT_SCOPE", denied.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.Forbidden, otherMethod.StatusCode);
        Assert.Equal("NO_MATCHING_RULE", otherMethod.Header("X-Auth-Code"));
    }

    [Theory]
    [InlineData("/public/../admin")]
    [InlineData("/public/./1")]
    [InlineData("/public//1")]
    [InlineData("/public/%2e%2e/admin")]
    [InlineData("/public/%2E%2E/admin")]
    [InlineData("/public/.%2e/admin")]
    [InlineData("/public/1%2Fadmin")]
    [InlineData("/public/1%5Cadmin")]
    [InlineData("/public/1;jsessionid=x")]
    [InlineData("/public/%c0%ae%c0%ae/admin")]
    public async Task ExtAuthz_TargetNotCanonical_Returns403PathNotCanonical(string target)
    {
        // Read from the raw request target: Kestrel's decoded path would have hidden these.
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["public:read"]);

        var url = await app.ExtAuthzUrlAsync(owner, target);

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithRawTarget(url).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("PATH_NOT_CANONICAL", response.Header("X-Auth-Code"));
    }

    [Theory]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("X-HTTP-Method")]
    [InlineData("X-Method-Override")]
    public async Task Check_MethodOverrideHeader_IsRefusedWhenRulesDecide(string header)
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var headerForm = await SendAsync((await CheckAsync(owner, issued.Token, "GET", "/orders/1")).WithRawHeader(header, "DELETE"));
        using var pathForm = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/1")).WithBearer(issued.Token).WithRawHeader(header, "DELETE"));
        using var byScope = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(issued.Token).WithRawHeader(header, "DELETE"));

        Assert.Equal("PATH_NOT_CANONICAL", headerForm.Header("X-Auth-Code"));
        Assert.Equal("PATH_NOT_CANONICAL", pathForm.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.OK, byScope.StatusCode);
    }

    [Fact]
    public async Task Check_CaseSensitiveApi_MatchesLiteralsWithExactCaseOnly()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/export", "orders:write");
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:admin");
        var issued = await app.CreateKeyAsync(owner, ["orders:write"]);
        var api = await app.ApiAsync(owner);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiCatalog>().UpdateAsync(owner.Caller(), api.Id, new ApiChanges(CaseSensitivePaths: true));
        }

        using var exact = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/export")).WithBearer(issued.Token));
        using var otherCase = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/EXPORT")).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.OK, exact.StatusCode);
        // Under exact case "EXPORT" is an order id, which needs orders:admin.
        Assert.Equal(HttpStatusCode.Forbidden, otherCase.StatusCode);
        Assert.Equal("INSUFFICIENT_SCOPE", otherCase.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Check_Unmatched_DeniedByDefault_AllowedOnceTheApiChoosesIt()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, []);

        using (var before = await SendAsync(await CheckAsync(owner, issued.Token, "GET", "/anything")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
            Assert.Equal("NO_MATCHING_RULE", before.Header("X-Auth-Code"));
        }

        await app.AllowUnmatchedAsync(owner);

        using var after = await SendAsync(await CheckAsync(owner, issued.Token, "GET", "/anything"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Check_AmbiguousPath_DeniedEvenWhenUnmatchedRequestsAreAllowed()
    {
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var headerForm = await SendAsync(await CheckAsync(owner, issued.Token, "GET", "/public/%2e%2e/admin"));
        var url = await app.ExtAuthzUrlAsync(owner, "/public/%2e%2e/admin");
        using var pathForm = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithRawTarget(url).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, headerForm.StatusCode);
        Assert.Equal("PATH_NOT_CANONICAL", headerForm.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.Forbidden, pathForm.StatusCode);
        Assert.Equal("PATH_NOT_CANONICAL", pathForm.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Check_NewRule_AppliesFromTheNextRequest()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["reports:read"]);
        using (var before = await SendAsync(await CheckAsync(owner, issued.Token, "GET", "/reports/1")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        await app.AddRuleAsync(owner, "GET", "/reports/{id}", "reports:read");

        using var after = await SendAsync(await CheckAsync(owner, issued.Token, "GET", "/reports/1"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Check_GrantOutsideItsWindow_Returns403OutsideTimeWindow()
    {
        var owner = await app.NewUserAsync();
        var now = app.Clock.GetUtcNow();
        var window = new AccessSchedule(NotBefore: now.AddHours(1));
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("later", Grants: [new Grant("orders:read", Schedule: window)]));

        var url = await app.CheckUrlAsync(owner, "orders:read");

        using var early = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token));
        app.Clock.Advance(TimeSpan.FromHours(2));
        using var later = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);
        Assert.Equal("OUTSIDE_TIME_WINDOW", early.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    // The header form as nginx sends it: from a trusted proxy, naming the original method and URI.
    private async Task<HttpRequestMessage> CheckAsync(TestUser owner, string token, string method, string uri) =>
        new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner))
            .WithBearer(token)
            .WithRawHeader(DoorApp.PeerHeader, TrustedProxy)
            .WithRawHeader("X-Original-Method", method)
            .WithRawHeader("X-Original-URI", uri);

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => app.AnonymousClient().SendAsync(request);
}

public sealed class SqliteCheckEndpointRulesTests(SqliteDoorApp app) : CheckEndpointRulesTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpointRulesTests(PostgreSqlDoorApp app) : CheckEndpointRulesTests(app), IClassFixture<PostgreSqlDoorApp>;
