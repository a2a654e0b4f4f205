using System.Net;
using System.Net.Http.Json;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// The <c>ApiKey</c> scheme with a <c>RequireScope</c> policy refusing a genuine key that lacks the
/// scope: 403 with code <c>INSUFFICIENT_SCOPE</c>, and nothing done.
/// </summary>
public abstract class ApiKeyScheme403Tests(DoorApp app)
{
    [Theory]
    [InlineData("orders:read")]
    [InlineData("keys:verify")]
    [InlineData("*:read")]
    [InlineData("orders:*")]
    public async Task Authorize_KeyWithoutKeysManage_Returns403InsufficientScope(string scope)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, [scope]);

        using var response = await app.ClientWith(issued.Token).GetAsync("/api/v1/keys");

        await AssertForbiddenAsync(response);
    }

    [Fact]
    public async Task Authorize_KeyWithoutKeysManage_CannotCreateKeys()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.ClientWith(issued.Token).PostAsJsonAsync("/api/v1/keys", new { name = "sneaky", scopes = new[] { "keys:manage" } });

        await AssertForbiddenAsync(response);
        Assert.DoesNotContain("sneaky", await owner.Client.GetStringAsync("/api/v1/keys"));
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(response.Header("WWW-Authenticate"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Equal("INSUFFICIENT_SCOPE", problem.GetProperty("code").GetString());
    }
}

public sealed class SqliteApiKeyScheme403Tests(SqliteDoorApp app) : ApiKeyScheme403Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlApiKeyScheme403Tests(PostgreSqlDoorApp app) : ApiKeyScheme403Tests(app), IClassFixture<PostgreSqlDoorApp>;
