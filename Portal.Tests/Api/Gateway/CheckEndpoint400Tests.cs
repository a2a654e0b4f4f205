using System.Net;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// <c>/api/v1/auth/check/{apiId}?scope=…</c> with a scope that is no scope: the gateway's configuration is
/// wrong, which is neither the key's fault (401) nor a lack of permission (403).
/// </summary>
public abstract class CheckEndpoint400Tests(DoorApp app)
{
    [Theory]
    [InlineData("orders")]
    [InlineData("Orders:Read")]
    [InlineData("orders read")]
    [InlineData("orders:read;admin:all")]
    public async Task Check_ScopeInCheckUrlNotResourceAction_Returns400(string scope)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, scope)).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Header("X-Auth-Key-Id"));
    }
}

public sealed class SqliteCheckEndpoint400Tests(SqliteDoorApp app) : CheckEndpoint400Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpoint400Tests(PostgreSqlDoorApp app) : CheckEndpoint400Tests(app), IClassFixture<PostgreSqlDoorApp>;
