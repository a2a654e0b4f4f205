using System.Net;
using System.Net.Http.Json;
using Portal.Api.Verify;
using Portal.Core.Access;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Verify;

/// <summary><c>POST /api/v1/keys/verify</c> refusing a body larger than any verify request needs, unread.</summary>
public abstract class VerifyEndpoint413Tests(DoorApp app)
{
    [Fact]
    public async Task Verify_TenKilobyteToken_Returns413()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);

        var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = DoorTestKit.TenKilobyteToken() });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(413, (await response.ReadJsonAsync()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Verify_BodyOneByteOverLimit_Returns413()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var padding = new string(' ', (int)VerifyEndpoints.MaxBodyBytes - 9);
        var body = "{\"key\":\"\"" + padding + "}";
        Assert.Equal(VerifyEndpoints.MaxBodyBytes + 1, body.Length);

        var response = await caller.Client.PostAsync("/api/v1/keys/verify", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Verify_BodyAtLimit_IsRead()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var token = DoorTestKit.UnknownToken();
        var head = "{\"key\":\"" + token + "\"";
        var body = head + new string(' ', (int)VerifyEndpoints.MaxBodyBytes - head.Length - 1) + "}";
        Assert.Equal(VerifyEndpoints.MaxBodyBytes, body.Length);

        var response = await caller.Client.PostAsync("/api/v1/keys/verify", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("NOT_FOUND", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }
}

public sealed class SqliteVerifyEndpoint413Tests(SqliteDoorApp app) : VerifyEndpoint413Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlVerifyEndpoint413Tests(PostgreSqlDoorApp app) : VerifyEndpoint413Tests(app), IClassFixture<PostgreSqlDoorApp>;
