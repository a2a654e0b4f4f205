using System.Net;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// The gateway door is always bound to an API: the unbound URLs of earlier versions and ids that
/// name no API answer 404, never a decision, whatever key is sent.
/// </summary>
public abstract class CheckEndpoint404Tests(DoorApp app)
{
    [Theory]
    [InlineData("/api/v1/auth/check")]
    [InlineData("/api/v1/auth/check?scope=orders:read")]
    [InlineData("/api/v1/auth/check/")]
    [InlineData("/api/v1/auth/check/orders/42")]
    [InlineData("/api/v1/auth/ext-authz")]
    [InlineData("/api/v1/auth/ext-authz/")]
    public async Task Check_Unbound_Returns404(string url)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.AllowUnmatchedAsync(owner);

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Header("X-Auth-Key-Id"));
        Assert.Null(response.Header("X-Auth-Code"));
    }

    [Theory]
    [InlineData("api_00000000000000000000000000000000")]
    [InlineData("api_0193F1C2AAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("api_123")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("orders")]
    public async Task Check_IdThatNamesNoApi_Returns404InBothForms(string apiId)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var headerForm = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{apiId}?scope=orders:read").WithBearer(issued.Token));
        using var pathForm = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/ext-authz/{apiId}/orders/42").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.NotFound, headerForm.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, pathForm.StatusCode);
        Assert.Null(headerForm.Header("X-Auth-Key-Id"));
        Assert.Null(pathForm.Header("X-Auth-Key-Id"));
    }

    [Fact]
    public async Task Check_UpperCaseSpellingOfARealApiId_Returns404()
    {
        // The id is pasted from the API's page as is; another spelling is no API.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var api = await app.ApiAsync(owner);

        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{api.PublicId.ToUpperInvariant()}?scope=orders:read").WithBearer(issued.Token));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class SqliteCheckEndpoint404Tests(SqliteDoorApp app) : CheckEndpoint404Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpoint404Tests(PostgreSqlDoorApp app) : CheckEndpoint404Tests(app), IClassFixture<PostgreSqlDoorApp>;
