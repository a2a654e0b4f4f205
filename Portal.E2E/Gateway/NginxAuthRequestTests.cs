using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Portal.Core.Audit;

namespace Portal.E2E.Gateway;

/// <summary>
/// nginx <c>auth_request</c> in front of an app, with the Portal as the check: the documented
/// configuration, a real nginx and a real Portal process on loopback.
/// </summary>
public sealed class NginxAuthRequestTests(NginxGateway gateway) : IClassFixture<NginxGateway>
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
    [InlineData(null, "MALFORMED")]
    public async Task Request_InvalidKey_Gets401(string? token, string code)
    {
        using var response = await gateway.Gateway.SendAsync(Get("/orders/42", token));

        await AssertDeniedAsync(response, HttpStatusCode.Unauthorized, code);
        Assert.Equal("Bearer error=\"invalid_token\"", string.Join(",", response.Headers.WwwAuthenticate));
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
    public async Task Request_KeyWithoutTheScopeNamedInTheCheckUrl_Gets403()
    {
        using var response = await gateway.Gateway.SendAsync(Get("/orders/42", gateway.BillingOnlyToken));

        await AssertDeniedAsync(response, HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE");
    }

    [Fact]
    public async Task Request_Checked_IsInThePortalsAuthenticationLogWithTheOriginalMethodAndUri()
    {
        var uri = $"/orders/{Guid.NewGuid():N}?from=nginx";
        var request = Get(uri, gateway.OrdersReadToken);
        request.Method = HttpMethod.Delete;

        using var response = await gateway.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        (string Method, string Code, string Door, string? Hint)? record = null;
        while (record is null && DateTime.UtcNow < deadline)
        {
            record = ReadLogRecord(uri);
            if (record is null)
            {
                await Task.Delay(200);
            }
        }

        Assert.NotNull(record);
        Assert.Equal(("DELETE", "VALID", "check"), (record.Value.Method, record.Value.Code, record.Value.Door));
        Assert.StartsWith("pk_test_", record.Value.Hint);
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

    private (string Method, string Code, string Door, string? Hint)? ReadLogRecord(string path)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(gateway.DataDirectory, "portal.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Records FROM AuthenticationLogSegments";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // Read as the portal reads it; times are not needed here.
            var segment = new AuthenticationLogSegment { Records = (byte[])reader["Records"] };
            if (AuthenticationLogSegmentCodec.Decode(segment).FirstOrDefault(r => r.Path == path) is { } r)
            {
                return (r.Method!, r.Code, r.Door, r.KeyHint);
            }
        }

        return null;
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
        using var response = await gateway.Portal.SendAsync(Get("/api/v1/auth/check?scope=orders:read", token));
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
