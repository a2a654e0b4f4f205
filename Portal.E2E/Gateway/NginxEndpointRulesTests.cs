namespace Portal.E2E.Gateway;

/// <summary>
/// Example B of the documented nginx configuration: one <c>location /</c> guards a whole API and
/// the API's endpoint rules decide (no scope in the check URL). Requests go out as raw bytes, the
/// way <c>curl --path-as-is</c> sends them, and the app behind nginx records the request line it
/// received, so each test can hold the Portal's decision against what the app would act on.
/// </summary>
/// <remarks>
/// nginx normalises its own copy of the path (<c>$uri</c>) before choosing a location: it decodes
/// every escape, <c>%2F</c> included, resolves <c>.</c> and <c>..</c> (raw or encoded) and merges
/// <c>//</c>. It matches no location on that copy here (there is only <c>/</c>), and it passes on
/// neither that copy nor anything derived from it: the check gets <c>$request_uri</c> in
/// <c>X-Original-URI</c> and the app gets the request line as the client sent it, because
/// <c>proxy_pass</c> names the upstream with no URI. So the Portal and the app see the same bytes.
/// </remarks>
[Collection(NginxCollection.Name)]
public sealed class NginxEndpointRulesTests(NginxGateway gateway)
{
    /// <summary>What happens to a request target at this gateway.</summary>
    public enum Outcome
    {
        /// <summary>Decided by the rules on its canonical form: a key without the scope is refused, a key with it reaches the app with the target as sent.</summary>
        Decided,

        /// <summary>Refused by the Portal, whatever the key: 403 <c>PATH_NOT_CANONICAL</c>; the app is never reached.</summary>
        NotCanonical,

        /// <summary>Refused by nginx itself with 400 before any check; the app is never reached.</summary>
        BadRequestAtNginx,
    }

    // Every vector aims at GET /orders/{id} (orders:read), through a spelling that is or looks like
    // another path; requests no rule matches are open to any valid key of the organization, so a
    // spelling the Portal read as some other path than the app would be a way in without the scope.
    // The comment on each says what nginx does with it (what this test found with nginx 1.22).
    [Theory]
    // Plain: the baseline.
    [InlineData("GET", "/orders/7", null, Outcome.Decided)]
    // nginx decodes %6F for its location match ($uri = /orders/7) and passes /%6Frders/7 on as sent;
    // the Portal decodes the unreserved escape too and decides /orders/7.
    [InlineData("GET", "/%6Frders/7", null, Outcome.Decided)]
    // Passed on as sent; the rule's literal matches case-insensitively (as ASP.NET Core routing does).
    [InlineData("GET", "/Orders/7", null, Outcome.Decided)]
    // nginx gives ';' no meaning and passes it on; some app frameworks strip ";x=1" (path parameters).
    [InlineData("GET", "/orders;x=1/7", null, Outcome.NotCanonical)]
    // nginx resolves dot segments in $uri (/orders/7) but passes the raw target on, dots and all.
    [InlineData("GET", "/public/../orders/7", null, Outcome.NotCanonical)]
    [InlineData("GET", "/orders/./7", null, Outcome.NotCanonical)]
    // nginx decodes %2e before resolving dot segments ($uri = /orders/7) and passes the raw target on.
    [InlineData("GET", "/public/%2e%2e/orders/7", null, Outcome.NotCanonical)]
    [InlineData("GET", "/public/%2E%2E/orders/7", null, Outcome.NotCanonical)]
    // nginx decodes %2F, then resolves the dot segment it makes ($uri = /orders/7); raw target passed on.
    [InlineData("GET", "/public/..%2Forders/7", null, Outcome.NotCanonical)]
    // nginx decodes only once: $uri is /public/%2e%2e/orders/7, literally; raw target passed on.
    [InlineData("GET", "/public/%252e%252e/orders/7", null, Outcome.NotCanonical)]
    // nginx rejects a dot segment that climbs above the root with 400.
    [InlineData("GET", "/../orders/7", null, Outcome.BadRequestAtNginx)]
    // nginx merges slashes in $uri (merge_slashes on) and passes the raw target on.
    [InlineData("GET", "/orders//7", null, Outcome.NotCanonical)]
    [InlineData("GET", "//orders/7", null, Outcome.NotCanonical)]
    // nginx on Linux keeps the trailing dot (on Windows it would strip it, as some app servers do).
    [InlineData("GET", "/orders./7", null, Outcome.NotCanonical)]
    // nginx refuses an encoded NUL in the path with 400 before asking anyone.
    [InlineData("GET", "/orders/7%00", null, Outcome.BadRequestAtNginx)]
    // nginx decodes %2F in $uri (/orders/7) and passes the raw target on.
    [InlineData("GET", "/orders%2F7", null, Outcome.NotCanonical)]
    // nginx keeps a raw backslash as an ordinary character; some servers read it as '/'.
    [InlineData("GET", "/orders\\7", null, Outcome.NotCanonical)]
    // Overlong UTF-8 for '.': nginx decodes it to the bytes C0 AE (no dot to it) and passes the raw target on.
    [InlineData("GET", "/public/%C0%AE%C0%AE/orders/7", null, Outcome.NotCanonical)]
    // The check subrequest is always a GET; X-Original-Method says HEAD, decided as GET. The app gets HEAD.
    [InlineData("HEAD", "/orders/7", null, Outcome.Decided)]
    // nginx passes the client's headers to the check and to the app alike; the Portal refuses a
    // request that asks the app to run another method than the one decided.
    [InlineData("GET", "/orders/7", "X-HTTP-Method-Override", Outcome.NotCanonical)]
    [InlineData("GET", "/orders/7", "X-HTTP-Method", Outcome.NotCanonical)]
    [InlineData("GET", "/orders/7", "X-Method-Override", Outcome.NotCanonical)]
    public async Task Request_TargetSpelling_IsRefusedOrDecidedOnWhatTheAppReceives(string method, string target, string? methodOverride, Outcome outcome)
    {
        (string, string)[] extra = methodOverride is null ? [] : [(methodOverride, "DELETE")];

        // A genuine key of the organization, without orders:read.
        var (withoutScope, withoutScopeId) = await SendAsync(method, target, gateway.BillingOnlyToken, extra);
        switch (outcome)
        {
            case Outcome.Decided:
                AssertDenied(withoutScope, "INSUFFICIENT_SCOPE");
                break;
            case Outcome.NotCanonical:
                AssertDenied(withoutScope, "PATH_NOT_CANONICAL");
                break;
            default:
                Assert.Equal(400, withoutScope.Status);
                break;
        }

        Assert.Empty(gateway.ShopApp.ReceivedFor(withoutScopeId));

        // A key with orders:read: a decided target reaches the app exactly as sent.
        var (withScope, withScopeId) = await SendAsync(method, target, gateway.OrdersReadToken, extra);
        switch (outcome)
        {
            case Outcome.Decided:
                Assert.True(withScope.Status == 200, $"{withScope.Status} {withScope.Header("X-Auth-Code")}\n{gateway.NginxErrorLog()}");
                var received = Assert.Single(gateway.ShopApp.ReceivedFor(withScopeId));
                Assert.Equal((method, target, "orders:read"), (received.Method, received.Target, received.Scopes));
                break;
            case Outcome.NotCanonical:
                AssertDenied(withScope, "PATH_NOT_CANONICAL");
                Assert.Empty(gateway.ShopApp.ReceivedFor(withScopeId));
                break;
            default:
                Assert.Equal(400, withScope.Status);
                Assert.Empty(gateway.ShopApp.ReceivedFor(withScopeId));
                break;
        }
    }

    [Fact]
    public async Task Request_EncodedLetters_AreDecidedAndLoggedInCanonicalFormWhileTheAppGetsThemAsSent()
    {
        var id = Guid.NewGuid().ToString("N");
        var target = $"/%6frders/{id}?page=2";

        var (response, requestId) = await SendAsync("GET", target, gateway.OrdersReadToken);

        Assert.Equal(200, response.Status);
        Assert.Equal(target, Assert.Single(gateway.ShopApp.ReceivedFor(requestId)).Target);
        var decision = Assert.Single(await PortalLog.WaitForPathAsync(gateway, $"/orders/{id}"));
        Assert.Equal(("GET", "VALID", "check"), (decision.Method, decision.Code, decision.Door));
    }

    [Fact]
    public async Task Request_RulesAndUnmatchedPaths_AreDecidedByTheApisRules()
    {
        // billing:read has a rule of its own; a path no rule matches is open to any valid key.
        var (billing, billingId) = await SendAsync("GET", "/billing/invoices/3", gateway.BillingOnlyToken);
        var (open, openId) = await SendAsync("GET", "/public/catalog", gateway.BillingOnlyToken);
        var (write, writeId) = await SendAsync("DELETE", "/orders/7", gateway.OrdersReadToken);

        Assert.Equal((200, 200), (billing.Status, open.Status));
        Assert.Single(gateway.ShopApp.ReceivedFor(billingId));
        Assert.Single(gateway.ShopApp.ReceivedFor(openId));
        AssertDenied(write, "INSUFFICIENT_SCOPE");
        Assert.Empty(gateway.ShopApp.ReceivedFor(writeId));
    }

    [Fact]
    public async Task Request_ClientForgesTheOriginalMethodOrUri_TheRealRequestIsDecided()
    {
        // nginx sets X-Original-* on the check from $request_method and $request_uri, and drops
        // X-Forwarded-Method/-Uri: nothing the client writes there reaches the Portal.
        var (uri, uriId) = await SendAsync("GET", "/orders/7", gateway.BillingOnlyToken,
            ("X-Original-URI", "/billing/1"), ("X-Forwarded-Uri", "/billing/1"));
        var (verb, verbId) = await SendAsync("DELETE", "/orders/7", gateway.OrdersReadToken,
            ("X-Original-Method", "GET"), ("X-Forwarded-Method", "GET"));
        var (honest, honestId) = await SendAsync("GET", "/orders/7", gateway.OrdersReadToken,
            ("X-Forwarded-Uri", "/billing/1"), ("X-Forwarded-Method", "GET"));

        AssertDenied(uri, "INSUFFICIENT_SCOPE");
        AssertDenied(verb, "INSUFFICIENT_SCOPE");
        Assert.Empty(gateway.ShopApp.ReceivedFor(uriId));
        Assert.Empty(gateway.ShopApp.ReceivedFor(verbId));
        Assert.Equal(200, honest.Status);
        Assert.Equal("/orders/7", Assert.Single(gateway.ShopApp.ReceivedFor(honestId)).Target);
    }

    [Fact]
    public async Task Request_KeyOfAnotherOrganization_Gets401NotFound()
    {
        var (response, requestId) = await SendAsync("GET", "/orders/7", gateway.OutsiderToken);

        Assert.Equal(401, response.Status);
        Assert.Equal("NOT_FOUND", response.Header("X-Auth-Code"));
        Assert.Empty(gateway.ShopApp.ReceivedFor(requestId));
    }

    private async Task<(RawHttp.Response Response, string RequestId)> SendAsync(string method, string target, string token, params (string Name, string Value)[] headers)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var response = await RawHttp.SendAsync(
            gateway.RulesGatewayPort, method, target, [("Authorization", $"Bearer {token}"), (RecordingUpstream.RequestIdHeader, requestId), .. headers]);
        return (response, requestId);
    }

    private void AssertDenied(RawHttp.Response response, string code)
    {
        Assert.True(response.Status == 403, $"Expected 403 {code}, got {response.Status} {response.Header("X-Auth-Code")}\n{gateway.NginxErrorLog()}");
        Assert.Equal(code, response.Header("X-Auth-Code"));
        Assert.DoesNotContain("upstream ", response.Body);
    }
}
