using System.Net;
using System.Net.Http.Json;
using Portal.Core.Keys;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>Requests the ApiKey scheme refuses: 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c>.</summary>
public abstract class KeysApi401Tests(PortalApp app)
{
    private static readonly Guid AnyId = Guid.CreateVersion7();

    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/v1/keys" },
        { "POST", "/api/v1/keys" },
        { "GET", $"/api/v1/keys/{AnyId}" },
        { "PATCH", $"/api/v1/keys/{AnyId}" },
        { "POST", $"/api/v1/keys/{AnyId}/rotate" },
        { "POST", $"/api/v1/keys/{AnyId}/revoke" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AnyEndpoint_NoKey_Returns401WithBearerChallenge(string method, string path)
    {
        using var client = app.CreateClient();

        var response = await client.SendAsync(Request(method, path));

        await AssertRefusedAsync(response, "MISSING");
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AnyEndpoint_RevokedKey_Returns401(string method, string path)
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("soon revoked", "keys:manage");
        (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null)).EnsureSuccessStatusCode();

        var response = await app.ClientWith(created.Token).SendAsync(Request(method, path));

        await AssertRefusedAsync(response, "REVOKED", created.Token);
    }

    public static TheoryData<string, string> Garbage => new()
    {
        { "plain words", "garbage" },
        { "empty bearer", "" },
        { "one character changed", ChangeOne(ApiKeyToken.Generate("pk_test")) },
        { "10 KB", new string('x', 10 * 1024) },
        { "non-ASCII", "pk_test_ключ" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task List_GarbageBearer_Returns401Malformed(string scenario, string token)
    {
        using var client = app.CreateClient();
        var request = Request("GET", "/api/v1/keys");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}"), scenario);

        var response = await client.SendAsync(request);

        await AssertRefusedAsync(response, token.Length == 0 ? "MISSING" : "MALFORMED", token);
    }

    [Fact]
    public async Task List_WellFormedUnknownKey_Returns401NotFound()
    {
        var token = ApiKeyToken.Generate("pk_test");

        var response = await app.ClientWith(token).GetAsync("/api/v1/keys");

        await AssertRefusedAsync(response, "NOT_FOUND", token);
    }

    [Fact]
    public async Task List_KeyOfAnotherPrefix_Returns401NotFound()
    {
        var token = ApiKeyToken.Generate("sk_live");

        var response = await app.ClientWith(token).GetAsync("/api/v1/keys");

        await AssertRefusedAsync(response, "NOT_FOUND", token);
    }

    [Fact]
    public async Task List_ExpiredKey_Returns401Expired()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync(new { name = "short lived", scopes = new[] { "keys:manage" }, expiresAt = app.Clock.GetUtcNow().AddMinutes(10) });
        var client = app.ClientWith(created.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys")).StatusCode);

        app.Clock.Advance(TimeSpan.FromMinutes(10));

        await AssertRefusedAsync(await client.GetAsync("/api/v1/keys"), "EXPIRED", created.Token);
    }

    [Fact]
    public async Task List_RotatedOutKeyAfterGrace_Returns401Expired()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("rotated", "keys:manage");
        (await user.Client.PostAsJsonAsync($"/api/v1/keys/{created.Key.Id}/rotate", new { gracePeriodSeconds = 60 })).EnsureSuccessStatusCode();

        app.Clock.Advance(TimeSpan.FromSeconds(60));

        await AssertRefusedAsync(await app.ClientWith(created.Token).GetAsync("/api/v1/keys"), "EXPIRED", created.Token);
    }

    [Fact]
    public async Task List_BearerAndXApiKeyTogether_Returns401()
    {
        var user = await app.NewUserAsync();
        var request = Request("GET", "/api/v1/keys");
        request.Headers.Add("X-Api-Key", user.ManageToken);

        var response = await user.Client.SendAsync(request);

        await AssertRefusedAsync(response, "MALFORMED", user.ManageToken);
    }

    [Fact]
    public async Task List_TwoAuthorizationHeaders_Returns401()
    {
        var first = await app.NewUserAsync();
        var second = await app.NewUserAsync();
        using var client = app.CreateClient();
        var request = Request("GET", "/api/v1/keys");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", [$"Bearer {first.ManageToken}", $"Bearer {second.ManageToken}"]));

        var response = await client.SendAsync(request);

        await AssertRefusedAsync(response, "MALFORMED", first.ManageToken);
    }

    [Fact]
    public async Task List_TwoXApiKeyHeaders_Returns401()
    {
        var user = await app.NewUserAsync();
        using var client = app.CreateClient();
        var request = Request("GET", "/api/v1/keys");
        request.Headers.Add("X-Api-Key", [user.ManageToken, user.ManageToken]);

        var response = await client.SendAsync(request);

        await AssertRefusedAsync(response, "MALFORMED", user.ManageToken);
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Token")]
    [InlineData("ApiKey")]
    public async Task List_OtherAuthorizationScheme_Returns401(string scheme)
    {
        var user = await app.NewUserAsync();
        using var client = app.CreateClient();
        var request = Request("GET", "/api/v1/keys");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {user.ManageToken}"));

        var response = await client.SendAsync(request);

        await AssertRefusedAsync(response, "MALFORMED", user.ManageToken);
    }

    [Fact]
    public async Task List_KeyInQueryString_IsNotAccepted()
    {
        var user = await app.NewUserAsync();
        using var client = app.CreateClient();

        var response = await client.GetAsync($"/api/v1/keys?api_key={user.ManageToken}&key={user.ManageToken}");

        await AssertRefusedAsync(response, "MISSING", user.ManageToken);
    }

    private static HttpRequestMessage Request(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = JsonContent.Create(new { name = "never created" });
        }

        return request;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string? code, string? token = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(code == "MISSING" ? "Bearer" : "Bearer error=\"invalid_token\"", string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
        if (code is not null)
        {
            Assert.Equal(code, problem.GetProperty("code").GetString());
        }

        if (!string.IsNullOrEmpty(token))
        {
            Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        }
    }

    private static string ChangeOne(string token) =>
        token[..10] + (token[10] == 'A' ? 'B' : 'A') + token[11..];
}

public sealed class SqliteKeysApi401Tests(SqliteApp app) : KeysApi401Tests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysApi401Tests(PostgreSqlApp app) : KeysApi401Tests(app), IClassFixture<PostgreSqlApp>;
