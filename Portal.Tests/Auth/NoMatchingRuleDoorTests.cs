using System.Net;
using System.Net.Http.Json;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// Where an API's endpoint rules decide, a request no rule matches is <c>NO_MATCHING_RULE</c> (403),
/// and one whose matching rule names a scope the key lacks is <c>INSUFFICIENT_SCOPE</c> (403), at
/// every door that reads rules: verify (<c>apiId</c> and <c>path</c>), the gateway door's header
/// form (no <c>?scope=</c>) and its path form. The authentication log record names the scope the
/// request needed and the rule that named it.
/// </summary>
public abstract class NoMatchingRuleDoorTests(DoorApp app)
{
    [Theory]
    [InlineData("GET", "/invoices/7", HttpStatusCode.Forbidden, "NO_MATCHING_RULE")]
    [InlineData("PUT", "/orders/7", HttpStatusCode.Forbidden, "NO_MATCHING_RULE")]
    [InlineData("DELETE", "/orders/7", HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE")]
    [InlineData("GET", "/orders/7", HttpStatusCode.OK, "VALID")]
    public async Task EveryRuleDoor_SameRequest_SameCode(string method, string path, HttpStatusCode status, string code)
    {
        var (owner, token) = await SetupAsync();

        using var headerForm = await app.AnonymousClient().SendAsync(HeaderForm(await app.CheckUrlAsync(owner), token, method, path));
        using var pathForm = await app.AnonymousClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), await app.ExtAuthzUrlAsync(owner, path)).WithBearer(token));
        var verify = await VerifyAsync(owner, token, method, path);

        Assert.Equal((status, code), (headerForm.StatusCode, headerForm.Header("X-Auth-Code")));
        Assert.Equal((status, code), (pathForm.StatusCode, pathForm.Header("X-Auth-Code")));
        Assert.Equal(code, verify);
    }

    [Fact]
    public async Task NoMatchingRule_OnceTheApiAllowsUnmatchedRequests_IsAllowed()
    {
        var (owner, token) = await SetupAsync();
        await app.AllowUnmatchedAsync(owner);

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/invoices/7")).WithBearer(token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task LogRecord_NamesTheScopeNeededAndTheRuleThatDecided()
    {
        var (owner, token, keyId, deleteRule) = await SetupWithIdsAsync();

        using (await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Delete, await app.ExtAuthzUrlAsync(owner, "/orders/7")).WithBearer(token)))
        using (await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/invoices/7")).WithBearer(token)))
        using (await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "reports:read")).WithBearer(token)))
        {
        }

        Assert.Equal(ReasonCodes.InsufficientScope, await VerifyAsync(owner, token, "DELETE", "/orders/8"));

        var logged = await app.WaitForLogAsync(q => q.Where(r => r.KeyId == keyId && r.Door != Doors.Api), atLeast: 4);
        var byPath = logged.ToDictionary(r => $"{r.Door} {r.Code} {r.Path}");
        // A rule matched and named a scope the key lacks: both are on the record, the rule as it read then.
        var denied = byPath[$"{Doors.ExtAuthz} INSUFFICIENT_SCOPE /orders/7"];
        Assert.Equal(("orders:admin", deleteRule, "DELETE /orders/{id}"), (denied.Scope, denied.RuleId, denied.Rule));
        // No rule matched: no scope, no rule; the code says why.
        var unmatched = byPath[$"{Doors.ExtAuthz} NO_MATCHING_RULE /invoices/7"];
        Assert.Equal((null, null, null), (unmatched.Scope, unmatched.RuleId, unmatched.Rule));
        // The check URL named the scope: no rule was read.
        var scoped = Assert.Single(logged, r => r.Door == Doors.Check);
        Assert.Equal((ReasonCodes.InsufficientScope, "reports:read", null), (scoped.Code, scoped.Scope, scoped.Rule));
        var verified = byPath[$"{Doors.Verify} INSUFFICIENT_SCOPE /orders/8"];
        Assert.Equal(("orders:admin", deleteRule), (verified.Scope, verified.RuleId));
    }

    [Fact]
    public async Task LogRecord_ManagementApi_NamesTheScopeItsEndpointRequires()
    {
        var owner = await app.NewUserAsync();
        var reader = await app.CreateKeyAsync(owner, ["orders:read"]);

        using (var refused = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(reader.Token)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var logged = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.KeyId == reader.Key.Id)));
        Assert.Equal((ReasonCodes.InsufficientScope, Scope.KeysManage, null), (logged.Code, logged.Scope, logged.Rule));
    }

    // Rules: GET /orders/{id} needs orders:read (the key holds it), DELETE /orders/{id} needs orders:admin (it does not).
    private async Task<(TestUser Owner, string Token)> SetupAsync()
    {
        var (owner, token, _, _) = await SetupWithIdsAsync();
        return (owner, token);
    }

    private async Task<(TestUser Owner, string Token, Guid KeyId, Guid DeleteRule)> SetupWithIdsAsync()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var deleteRule = await app.AddRuleAsync(owner, "DELETE", "/orders/{id}", "orders:admin");
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        return (owner, issued.Token, issued.Key.Id, deleteRule);
    }

    private async Task<string> VerifyAsync(TestUser owner, string token, string method, string path)
    {
        var api = await app.ApiAsync(owner);
        using var response = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = token, apiId = api.PublicId, method, path });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("code").GetString()!;
    }

    // The header form as nginx sends it: from a trusted proxy, naming the original method and URI, with no scope in the check URL.
    private static HttpRequestMessage HeaderForm(string url, string token, string method, string uri) =>
        new HttpRequestMessage(HttpMethod.Get, url).WithBearer(token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5").WithRawHeader("X-Original-Method", method).WithRawHeader("X-Original-URI", uri);
}

public sealed class SqliteNoMatchingRuleDoorTests(SqliteDoorApp app) : NoMatchingRuleDoorTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlNoMatchingRuleDoorTests(PostgreSqlDoorApp app) : NoMatchingRuleDoorTests(app), IClassFixture<PostgreSqlDoorApp>;
