using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>The <c>ApiKey</c> scheme letting a genuine key with <c>keys:manage</c> into <c>/api/v1/keys</c>.</summary>
public abstract class ApiKeyScheme200Tests(DoorApp app)
{
    [Fact]
    public async Task Authenticate_BearerKey_Returns200()
    {
        var owner = await app.NewUserAsync();

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(owner.ManageToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_XApiKey_Returns200()
    {
        var owner = await app.NewUserAsync();

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithRawHeader("X-Api-Key", owner.ManageToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_WildcardKeysGrant_Returns200()
    {
        var owner = await app.NewUserAsync();
        var wildcard = await app.CreateKeyAsync(owner, ["keys:*"]);

        using var response = await app.ClientWith(wildcard.Token).GetAsync("/api/v1/keys");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_RotatedKeyDuringGrace_AcceptsOldAndNewTokens()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["keys:manage"]);
        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromMinutes(5));
        app.Clock.Advance(TimeSpan.FromMinutes(4));

        using var old = await app.ClientWith(issued.Token).GetAsync("/api/v1/keys");
        using var fresh = await app.ClientWith(rotated.Token).GetAsync("/api/v1/keys");

        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Authenticate_KeyExpiringLater_Returns200Now()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["keys:manage"], app.Clock.GetUtcNow().AddDays(1));

        using var response = await app.ClientWith(issued.Token).GetAsync("/api/v1/keys");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class SqliteApiKeyScheme200Tests(SqliteDoorApp app) : ApiKeyScheme200Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlApiKeyScheme200Tests(PostgreSqlDoorApp app) : ApiKeyScheme200Tests(app), IClassFixture<PostgreSqlDoorApp>;
