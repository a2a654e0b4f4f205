using System.Net;
using System.Net.Http.Headers;

namespace Portal.E2E.Gateway;

/// <summary>
/// nginx <c>auth_request</c> in front of an app, with the Portal as the check: example A of the
/// documented configuration (one scope per location, the check URL naming its API), a real nginx
/// and a real Portal process on loopback.
/// </summary>
[Collection(NginxCollection.Name)]
public sealed class NginxAuthRequestTests(NginxGateway gateway)
{
    [Fact]
    public async Task Request_ValidKey_ReachesUpstreamWithItsKeyId()
    {
        var keyId = await KeyIdAsync(gateway.OrdersReadToken);

        using var response = await gateway.Gateway.SendAsync(Get("/orders/42", gateway.OrdersReadToken));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}\n{gateway.NginxErrorLog()}");
        Assert.StartsWith("upstream ", body);
        Assert.Contains($"key={keyId} ", body);
        Assert.Contains("scopes=orders:read ", body);
        Assert.Contains("uri=/orders/42 ", body);
        Assert.Matches("owner=[0-9a-f-]{36} ", body);
        Assert.Matches("organization=[0-9a-f-]{36} ", body);
        Assert.Contains($"api={gateway.OrdersApiId} ", body);
        Assert.Contains("environment=test ", body);
    }

    [Fact]
    public async Task Request_ValidKeyInXApiKey_ReachesUpstream()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/orders/7");
        request.Headers.Add("X-Api-Key", gateway.OrdersReadToken);

        using var response = await gateway.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"key={await KeyIdAsync(gateway.OrdersReadToken)} ", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_WithBody_IsCheckedWithoutItsBodyAndPassedOn()
    {
        var request = Get("/orders/", gateway.OrdersReadToken);
        request.Method = HttpMethod.Post;
        request.Content = new StringContent(new string('x', 64 * 1024));

        using var response = await gateway.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("method=POST ", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_ClientForgesTheKeyIdHeader_UpstreamSeesTheRealOne()
    {
        var request = Get("/orders/1", gateway.OrdersReadToken);
        request.Headers.Add("X-Key-Id", "00000000-0000-0000-0000-000000000000");

        using var response = await gateway.Gateway.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"key={await KeyIdAsync(gateway.OrdersReadToken)} ", body);
        Assert.DoesNotContain("00000000-0000-0000-0000-000000000000", body);
    }

    [Theory]
    [InlineData("not-a-key", "MALFORMED")]
    [InlineData("pk_test_" + "00000000000000000000000000000000" + "000000", "MALFORMED")]
    [InlineData(null, "MISSING")]
    public async Task Request_InvalidKey_Gets401(string? token, string code)
    {
        using var response = await gateway.Gateway.SendAsync(Get("/orders/42", token));

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, code);
        // nginx passes on the Portal's challenge: a bare Bearer when no key was sent at all (RFC 6750 section 3.1).
        Assert.Equal(code == "MISSING" ? "Bearer" : "Bearer error=\"invalid_token\"", string.Join(",", response.Headers.WwwAuthenticate));
    }

    [Fact]
    public async Task Request_UnknownWellFormedKey_Gets401NotFound()
    {
        // Right shape and checksum, but no key of this installation has it.
        var foreign = Portal.Core.Keys.ApiKeyToken.Generate("pk_test");

        using var response = await gateway.Gateway.SendAsync(Get("/orders/42", foreign));

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "NOT_FOUND");
    }

    [Fact]
    public async Task Request_KeyOfAnotherOrganization_Gets401NotFoundAndIsFiledInNoOrganizationsLog()
    {
        var path = $"/orders/{Guid.NewGuid():N}";
        var request = Get(path, gateway.OutsiderToken);
        // A client address of this test's own (nginx appends it to X-Forwarded-For, and the Portal
        // trusts nginx on loopback): decisions without a usable key are folded per address and
        // minute, and this one must start its own record to be found by its path.
        request.Headers.Add("X-Forwarded-For", $"198.18.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}");

        using var response = await gateway.Gateway.SendAsync(request);

        // A genuine key with the very scope asked for, but the API is another organization's: the
        // gateway cannot tell it from a key that does not exist.
        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, "NOT_FOUND");
        var decision = Assert.Single(await PortalLog.WaitForKeylessPathAsync(gateway, path));
        Assert.Equal(("NOT_FOUND", "check"), (decision.Code, decision.Door));
        // Filed like an unknown token's: in nobody's log, neither the API owner's nor the key's.
        Assert.Null(decision.OrganizationId);
        Assert.Null(decision.KeyId);
    }

    [Fact]
    public async Task Request_ClientForgesXOriginalUriAndMethod_DecisionAndLogFollowTheRealRequest()
    {
        var path = $"/orders/{Guid.NewGuid():N}";
        var forged = $"/orders/../admin/{Guid.NewGuid():N}";

        // Believed, the forged target would be refused (a dot segment): nginx replaces both headers
        // on the check with $request_method and $request_uri, so the real request is decided.
        var allowed = Get(path, gateway.OrdersReadToken);
        allowed.Headers.Add("X-Original-URI", forged);
        allowed.Headers.Add("X-Original-Method", "DELETE");
        allowed.Headers.Add("X-Forwarded-Uri", forged);
        allowed.Headers.Add("X-Forwarded-Method", "DELETE");
        using (var response = await gateway.Gateway.SendAsync(allowed))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains($"uri={path} ", await response.Content.ReadAsStringAsync());
        }

        var denied = Get(path, gateway.BillingOnlyToken);
        denied.Headers.Add("X-Original-URI", "/billing/1");
        using (var response = await gateway.Gateway.SendAsync(denied))
        {
            await AssertDeniedAsync(response, HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE");
        }

        var decisions = await NginxGateway.EventuallyAsync(
            () => PortalLog.ForPath(gateway, path) is { Count: 2 } both ? both : null, $"both decisions for {path} in the authentication log");
        Assert.All(decisions, d => Assert.Equal("GET", d.Method));
        Assert.Equal(["INSUFFICIENT_SCOPE", "VALID"], decisions.Select(d => d.Code).Order());
        Assert.Empty(PortalLog.ForPath(gateway, forged));
    }

    [Fact]
    public async Task Request_KeyWithoutTheScopeNamedInTheCheckUrl_Gets403()
    {
        using var response = await gateway.Gateway.SendAsync(Get("/orders/42", gateway.BillingOnlyToken));

        await AssertDeniedAsync(response, HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE");
    }

    [Fact]
    public async Task Request_OverTheKeysRateLimit_ClientGets429WithRetryAfter_AppNotReached()
    {
        using var first = await gateway.Gateway.SendAsync(Get("/orders/1", gateway.LimitedToken));
        using var second = await gateway.Gateway.SendAsync(Get("/orders/2", gateway.LimitedToken));
        using var third = await gateway.Gateway.SendAsync(Get("/orders/3", gateway.LimitedToken));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.StatusCode, second.StatusCode });
        var body = await third.Content.ReadAsStringAsync();
        Assert.True(third.StatusCode == HttpStatusCode.TooManyRequests, $"{third.StatusCode}: {body}\n{gateway.NginxErrorLog()}");
        Assert.DoesNotContain("upstream ", body);
        Assert.Equal("RATE_LIMITED", third.Headers.GetValues("X-Auth-Code").Single());
        Assert.InRange(int.Parse(third.Headers.GetValues("Retry-After").Single()), 1, 3600);
        Assert.Equal("\"hourly\";q=2;w=3600", third.Headers.GetValues("RateLimit-Policy").Single());
    }

    [Fact]
    public async Task Request_Checked_IsInThePortalsAuthenticationLogWithTheOriginalMethodAndPath()
    {
        var path = $"/orders/{Guid.NewGuid():N}";
        var request = Get(path + "?from=nginx", gateway.OrdersReadToken);
        request.Method = HttpMethod.Delete;

        using var response = await gateway.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The canonical target: the query string is never stored.
        var record = Assert.Single(await PortalLog.WaitForPathAsync(gateway, path));
        Assert.Equal(("DELETE", "VALID", "check"), (record.Method, record.Code, record.Door));
        Assert.StartsWith("pk_test_", record.KeyHint);
        Assert.Equal(PortalLog.PersonalOrganizationOf(gateway, NginxGateway.Owner), record.OrganizationId);
    }

    [Fact]
    public async Task Request_Checked_TheTokenIsWrittenToNoFileOfThePortal()
    {
        using (var response = await gateway.Gateway.SendAsync(Get("/orders/secret", gateway.OrdersReadToken)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var token = System.Text.Encoding.ASCII.GetBytes(gateway.OrdersReadToken);
        foreach (var file in Directory.EnumerateFiles(gateway.DataDirectory, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf(token) < 0, $"{file} holds the token.");
        }

        Assert.DoesNotContain(gateway.OrdersReadToken, gateway.PortalOutput());
    }

    private async Task AssertDeniedAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}\n{gateway.NginxErrorLog()}");
        Assert.DoesNotContain("upstream ", body);
        Assert.Equal(code, response.Headers.TryGetValues("X-Auth-Code", out var values) ? string.Join(",", values) : null);
    }

    /// <summary>The key's id as the Portal itself names it, asked directly.</summary>
    private async Task<string> KeyIdAsync(string token)
    {
        using var response = await gateway.Portal.SendAsync(Get($"/api/v1/auth/check/{gateway.OrdersApiId}?scope=orders:read", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Auth-Key-Id").Single();
    }

    private static HttpRequestMessage Get(string uri, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }
}
