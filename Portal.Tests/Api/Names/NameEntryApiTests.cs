using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Portal.Core.Access;
using Portal.Tests.Core.Names;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Names;

/// <summary>
/// The management API's name fields over real HTTP: each deceptive name of <see cref="DeceptiveNames"/>
/// is a 400 ProblemDetails naming <c>name</c> and the code point, and an equivalent spelling of a
/// taken name is a 409, when a key or an API is created or renamed.
/// </summary>
public abstract class NameEntryApiTests(PortalApp app)
{
    public static TheoryData<string> Places() => ["POST /api/v1/keys", "PATCH /api/v1/keys/{id}", "POST /api/v1/apis", "PATCH /api/v1/apis/{id}"];

    [Theory]
    [MemberData(nameof(Places))]
    public async Task SendName_DeceptiveName_IsProblemNamingTheFieldAndCodePoint(string place)
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var wrong = new List<string>();

        foreach (var (what, name, codePoint) in DeceptiveNames.Refused)
        {
            var response = await SendAsync(owner.Client, place, name);
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                wrong.Add($"{what}: {(int)response.StatusCode}");
                continue;
            }

            var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
            // A lone surrogate is refused by the JSON reader before the rule sees it; the field is still named.
            if (!errors.TryGetValue("name", out var messages) || (what != "lone surrogate" && !string.Join(" ", messages).Contains(codePoint, StringComparison.Ordinal)))
            {
                wrong.Add($"{what}: {string.Join("; ", errors.Select(e => e.Key + ": " + string.Join(" ", e.Value)))}");
            }
        }

        Assert.Empty(wrong);
    }

    [Theory]
    [MemberData(nameof(Places))]
    public async Task SendName_EquivalentSpellingOfATakenName_IsConflict(string place)
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var wrong = new List<string>();

        foreach (var (what, first, second, stored) in DeceptiveNames.Equivalent)
        {
            var created = await SendAsync(owner.Client, place, first);
            var body = await created.Content.ReadAsStringAsync();
            if (!created.IsSuccessStatusCode || StoredName(body) != stored)
            {
                wrong.Add($"{what}: first spelling answered {(int)created.StatusCode} {body}");
                continue;
            }

            var again = await SendAsync(owner.Client, place, second);
            if (again.StatusCode != HttpStatusCode.Conflict)
            {
                wrong.Add($"{what}: second spelling answered {(int)again.StatusCode}");
            }
        }

        Assert.Empty(wrong);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string place, string name)
    {
        var body = new StringContent($$"""{"name":"{{JsonEscaped(name)}}"}""", Encoding.UTF8, "application/json");
        switch (place)
        {
            case "POST /api/v1/keys":
                return await client.PostAsync("/api/v1/keys", body);
            case "PATCH /api/v1/keys/{id}":
                var key = await client.CreateKeyAsync("key " + Guid.NewGuid().ToString("N"));
                return await client.PatchAsync($"/api/v1/keys/{key.Key.Id}", body);
            case "POST /api/v1/apis":
                return await client.PostAsync("/api/v1/apis", body);
            case "PATCH /api/v1/apis/{id}":
                var api = await client.CreateApiAsync("api " + Guid.NewGuid().ToString("N"));
                return await client.PatchAsync($"/api/v1/apis/{api.Id}", body);
            default:
                throw new ArgumentOutOfRangeException(nameof(place), place, "Not a route that takes a name.");
        }
    }

    // A created key comes back under "key"; a renamed key and an API at the top.
    private static string? StoredName(string body)
    {
        var root = JsonDocument.Parse(body).RootElement;
        return (root.TryGetProperty("key", out var key) ? key : root).GetProperty("name").GetString();
    }

    // Every character outside printable ASCII as \uXXXX, so a lone surrogate reaches the server as sent.
    private static string JsonEscaped(string text) => string.Concat(text.Select(c =>
        c is >= ' ' and < (char)127 and not ('"' or '\\' or '+' or '<' or '>' or '&' or '\'' or '`')
            ? c.ToString()
            : "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture)));
}

public sealed class SqliteNameEntryApiTests(SqliteApp app) : NameEntryApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlNameEntryApiTests(PostgreSqlApp app) : NameEntryApiTests(app), IClassFixture<PostgreSqlApp>;
