using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>Bad input: RFC 7807 ProblemDetails whose <c>errors</c> name the field at fault (400, 409, 415).</summary>
public abstract class KeysApi400Tests(PortalApp app)
{
    public static TheoryData<string, string, string> BadCreateBodies => new()
    {
        // scenario, JSON body, field named in errors
        { "empty name", """{"name":""}""", "name" },
        { "blank name", """{"name":"   "}""", "name" },
        { "missing name", """{"scopes":["orders:read"]}""", "name" },
        { "null name", """{"name":null}""", "name" },
        { "101-character name", $$"""{"name":"{{new string('n', 101)}}"}""", "name" },
        { "500-character name", $$"""{"name":"{{new string('n', 500)}}"}""", "name" },
        { "control character in name", """{"name":"tab\there"}""", "name" },
        { "501-character description", $$"""{"name":"ok","description":"{{new string('d', 501)}}"}""", "description" },
        { "expiry in the past", """{"name":"ok","expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt" },
        { "upper-case scope", """{"name":"ok","scopes":["Orders:Read"]}""", "scopes" },
        { "scope without action", """{"name":"ok","scopes":["orders"]}""", "scopes" },
        { "scope with a space", """{"name":"ok","scopes":["orders:read", "orders write"]}""", "scopes" },
        { "scope with a partial wildcard", """{"name":"ok","scopes":["orders:re*"]}""", "scopes" },
        { "empty scope", """{"name":"ok","scopes":[""]}""", "scopes" },
        { "unknown field", """{"name":"ok","colour":"red"}""", "colour" },
        { "field given twice", """{"name":"ok","scopes":["orders:read"],"scopes":["orders:admin"]}""", "scopes" },
        { "unknown field, snake case", """{"name":"ok","expires_at":"2030-01-01T00:00:00Z"}""", "expires_at" },
        { "token field", """{"name":"ok","token":"pk_test_x"}""", "token" },
        { "name is a number", """{"name":123}""", "name" },
        { "name is an object", """{"name":{"first":"a"}}""", "name" },
        { "scopes is a string", """{"name":"ok","scopes":"orders:read"}""", "scopes" },
        { "scope is a number", """{"name":"ok","scopes":[1]}""", "scopes[0]" },
        { "expiry is not a date", """{"name":"ok","expiresAt":"tomorrow"}""", "expiresAt" },
        { "expiry is a number", """{"name":"ok","expiresAt":1700000000}""", "expiresAt" },
        { "unknown environment", """{"name":"ok","environment":"production"}""", "environment" },
        { "environment as a number", """{"name":"ok","environment":1}""", "environment" },
        { "body is not JSON", "name=ok", "body" },
        { "body is a JSON array", """[{"name":"ok"}]""", "body" },
        { "body is a JSON string", "\"ok\"", "body" },
        { "body is truncated JSON", """{"name":"ok",""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadCreateBodies))]
    public async Task Create_BadBody_Returns400NamingTheField(string scenario, string body, string field)
    {
        var user = await app.NewUserAsync();

        var response = await user.Client.PostAsync("/api/v1/keys", Json(body));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.Errors();
        Assert.True(errors.ContainsKey(field), $"{scenario}: errors name {string.Join(", ", errors.Keys)}, not {field}");
        Assert.All(errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
        await AssertNoKeyCreatedAsync(user);
    }

    [Fact]
    public async Task Create_ExpiryAtTheCurrentInstant_Returns400()
    {
        var user = await app.NewUserAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = "now", expiresAt = app.Clock.GetUtcNow() });

        Assert.Contains("expiresAt", (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
    }

    [Fact]
    public async Task Create_SeveralBadFields_NamesEachOfThem()
    {
        var user = await app.NewUserAsync();

        var response = await user.Client.PostAsync("/api/v1/keys", Json("""{"name":"","scopes":["BAD"],"expiresAt":"2001-01-01T00:00:00Z"}"""));

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.Equal(["expiresAt", "name", "scopes"], errors.Keys.Order());
    }

    [Fact]
    public async Task Create_TooManyScopes_Returns400()
    {
        var user = await app.NewUserAsync();
        var scopes = Enumerable.Range(0, 51).Select(i => $"r{i}:read").ToArray();

        var response = await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = "greedy", scopes });

        Assert.Contains("scopes", (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
    }

    [Fact]
    public async Task Create_HundredCharacterName_IsTheLongestAccepted()
    {
        var user = await app.NewUserAsync();

        var created = await user.Client.CreateKeyAsync(new string('n', 100));

        Assert.Equal(100, created.Key.Name.Length);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Create_NonJsonContentType_Returns415Problem(string mediaType)
    {
        var user = await app.NewUserAsync();

        var response = await user.Client.PostAsync("/api/v1/keys", new StringContent("name=ok", Encoding.UTF8, mediaType));

        var problem = await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("body", problem.Errors().Keys);
        await AssertNoKeyCreatedAsync(user);
    }

    [Fact]
    public async Task Create_EmptyBody_Returns400Problem()
    {
        var user = await app.NewUserAsync();

        var response = await user.Client.PostAsync("/api/v1/keys", Json(""));

        Assert.Contains("body", (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
    }

    [Theory]
    [InlineData("orders service")]
    [InlineData("  orders service ")]
    public async Task Create_DuplicateName_Returns409NamingTheName(string again)
    {
        var user = await app.NewUserAsync();
        await user.Client.CreateKeyAsync("orders service");

        var response = await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = again });

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("name", problem.Errors().Keys);
    }

    [Fact]
    public async Task Create_NameOfARevokedKey_IsStillTaken()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("retired");
        (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null)).EnsureSuccessStatusCode();

        var response = await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = "retired" });

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    public static TheoryData<string, string, string> BadUpdateBodies => new()
    {
        { "empty name", """{"name":""}""", "name" },
        { "500-character name", $$"""{"name":"{{new string('n', 500)}}"}""", "name" },
        { "expiry in the past", """{"expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt" },
        { "expiry and removeExpiry", """{"expiresAt":"2999-01-01T00:00:00Z","removeExpiry":true}""", "expiresAt" },
        { "bad scope", """{"scopes":["not a scope"]}""", "scopes" },
        { "unknown field", """{"status":"active"}""", "status" },
        { "wrong type", """{"removeExpiry":"yes"}""", "removeExpiry" },
        { "not JSON", "{name: 'x'}", "body" },
    };

    [Theory]
    [MemberData(nameof(BadUpdateBodies))]
    public async Task Update_BadBody_Returns400NamingTheFieldAndChangesNothing(string scenario, string body, string field)
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("unchanged", "orders:read");

        var response = await user.Client.PatchAsync($"/api/v1/keys/{created.Key.Id}", Json(body));

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.True(errors.ContainsKey(field), $"{scenario}: errors name {string.Join(", ", errors.Keys)}, not {field}");
        var key = await (await user.Client.GetAsync($"/api/v1/keys/{created.Key.Id}")).ReadAsync<Portal.Api.Keys.KeyResponse>(HttpStatusCode.OK);
        Assert.Equal("unchanged", key.Name);
        Assert.Equal(["orders:read"], key.Scopes);
        Assert.Equal(created.Key.UpdatedAt, key.UpdatedAt, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Update_NameOfAnotherOwnKey_Returns409()
    {
        var user = await app.NewUserAsync();
        await user.Client.CreateKeyAsync("taken");
        var other = await user.Client.CreateKeyAsync("free");

        var response = await user.Client.PatchAsJsonAsync($"/api/v1/keys/{other.Key.Id}", new { name = "taken" });

        Assert.Contains("name", (await response.ReadProblemAsync(HttpStatusCode.Conflict)).Errors().Keys);
    }

    [Fact]
    public async Task Update_RevokedKey_Returns409()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("revoked");
        (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null)).EnsureSuccessStatusCode();

        var response = await user.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { name = "revived" });

        Assert.Contains("status", (await response.ReadProblemAsync(HttpStatusCode.Conflict)).Errors().Keys);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(30 * 24 * 3600 + 1)]
    [InlineData(int.MaxValue)]
    public async Task Rotate_GraceOutsideZeroToThirtyDays_Returns400NamingTheGracePeriod(int seconds)
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("rotated", "keys:manage");

        var response = await user.Client.PostAsJsonAsync($"/api/v1/keys/{created.Key.Id}/rotate", new { gracePeriodSeconds = seconds });

        Assert.Contains("gracePeriod", (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWith(created.Token).GetAsync("/api/v1/keys")).StatusCode);
    }

    [Theory]
    [InlineData("""{"gracePeriodSeconds":"an hour"}""", "gracePeriodSeconds")]
    [InlineData("""{"grace":3600}""", "grace")]
    public async Task Rotate_BadBody_Returns400NamingTheField(string body, string field)
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("rotated");

        var response = await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/rotate", Json(body));

        Assert.Contains(field, (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
    }

    [Fact]
    public async Task Rotate_RevokedKey_Returns409()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("revoked");
        (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null)).EnsureSuccessStatusCode();

        var response = await user.Client.PostAsJsonAsync($"/api/v1/keys/{created.Key.Id}/rotate", new { gracePeriodSeconds = 0 });

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=many", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=AAAA", "cursor")]
    [InlineData("status=deleted", "status")]
    [InlineData("status=1", "status")]
    public async Task List_BadQuery_Returns400NamingTheParameter(string query, string field)
    {
        var user = await app.NewUserAsync();

        var response = await user.Client.GetAsync($"/api/v1/keys?{query}");

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.True(errors.ContainsKey(field), $"{query}: errors name {string.Join(", ", errors.Keys)}");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task AssertNoKeyCreatedAsync(TestUser user)
    {
        var page = await (await user.Client.GetAsync("/api/v1/keys")).ReadAsync<Portal.Api.Keys.KeyPageResponse>(HttpStatusCode.OK);
        Assert.Equal(["management"], page.Items.Select(k => k.Name));
    }
}

public sealed class SqliteKeysApi400Tests(SqliteApp app) : KeysApi400Tests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysApi400Tests(PostgreSqlApp app) : KeysApi400Tests(app), IClassFixture<PostgreSqlApp>;
