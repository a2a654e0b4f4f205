using System.Net;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// <c>/api/v1/auth/check?scope=…</c> refusing a genuine key that lacks the scope the gateway named:
/// 403 (not 401: asking again with the same key will not help), no challenge, no identity headers.
/// </summary>
public abstract class CheckEndpoint403Tests(DoorApp app)
{
    [Theory]
    [InlineData("orders:read", "orders:write")]
    [InlineData("orders:read", "billing:read")]
    [InlineData("orders:*", "billing:read")]
    [InlineData("orders:refund", "orders:refund:partial")]
    public async Task Check_KeyLackingNamedScope_Returns403InsufficientScope(string granted, string required)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, [granted]);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check?scope={required}").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("INSUFFICIENT_SCOPE", response.Header("X-Auth-Code"));
        Assert.Null(response.Header("WWW-Authenticate"));
        Assert.Null(response.Header("X-Auth-Key-Id"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(403, (await response.ReadJsonAsync()).GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("DELETE")]
    [InlineData("HEAD")]
    public async Task Check_KeyLackingNamedScope_Returns403ForAnyMethod(string method)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(new HttpMethod(method), "/api/v1/auth/check?scope=orders:write").WithRawHeader("X-Api-Key", issued.Token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("INSUFFICIENT_SCOPE", response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Check_RevokedKeyLackingScope_Returns401NotForbidden()
    {
        // Status before scope: a dead key is never told which scopes it lacks.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.RevokeAsync(owner, issued.Key.Id);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:write").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("REVOKED", response.Header("X-Auth-Code"));
    }
}

public sealed class SqliteCheckEndpoint403Tests(SqliteDoorApp app) : CheckEndpoint403Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpoint403Tests(PostgreSqlDoorApp app) : CheckEndpoint403Tests(app), IClassFixture<PostgreSqlDoorApp>;
