using System.Net;
using System.Net.Http.Headers;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// The <c>ApiKey</c> scheme refusing a request to <c>/api/v1/keys</c> without a usable key: 401, a
/// Bearer challenge and a ProblemDetails whose <c>code</c> is the one the other doors give.
/// </summary>
public abstract class ApiKeyScheme401Tests(DoorApp app)
{
    private const string Url = "/api/v1/keys";

    [Fact]
    public async Task Authenticate_NoKey_Returns401Missing()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url), "MISSING");
    }

    [Fact]
    public async Task Authenticate_EmptyBearer_Returns401Missing()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("Authorization", "Bearer "), "MISSING");
    }

    [Fact]
    public async Task Authenticate_EmptyXApiKey_Returns401Missing()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("X-Api-Key", ""), "MISSING");
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Digest")]
    [InlineData("ApiKey")]
    public async Task Authenticate_GenuineKeyUnderWrongScheme_Returns401Malformed(string scheme)
    {
        var owner = await app.NewUserAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, owner.ManageToken);

        await AssertUnauthorizedAsync(request, "MALFORMED");
    }

    [Fact]
    public async Task Authenticate_KeyInBothAuthorizationAndXApiKey_Returns401Malformed()
    {
        var owner = await app.NewUserAsync();

        var problem = await AssertUnauthorizedAsync(
            new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(owner.ManageToken).WithRawHeader("X-Api-Key", owner.ManageToken), "MALFORMED");

        Assert.Contains("More than one", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Authenticate_TwoAuthorizationHeaders_Returns401Malformed()
    {
        var owner = await app.NewUserAsync();

        await AssertUnauthorizedAsync(
            new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("Authorization", $"Bearer {owner.ManageToken}", $"Bearer {owner.ManageToken}"), "MALFORMED");
    }

    [Theory]
    [MemberData(nameof(DoorTestKit.MalformedHeaderTokenNames), MemberType = typeof(DoorTestKit))]
    public async Task Authenticate_MalformedToken_Returns401Malformed(string kind)
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("X-Api-Key", DoorTestKit.MalformedToken(kind)), "MALFORMED");
    }

    [Fact]
    public async Task Authenticate_UnknownWellFormedToken_Returns401NotFound()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(DoorTestKit.UnknownToken()), "NOT_FOUND");
    }

    [Fact]
    public async Task Authenticate_KeyRevokedThroughItsOwnRequest_Returns401RevokedOnTheVeryNextRequest()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["keys:manage"]);
        var client = app.ClientWith(issued.Token);

        using var revoke = await client.PostAsync($"/api/v1/keys/{issued.Key.Id}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token), "REVOKED");
    }

    [Fact]
    public async Task Authenticate_ExpiredKey_Returns401Expired()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["keys:manage"], app.Clock.GetUtcNow().AddSeconds(5));
        using (var before = await app.ClientWith(issued.Token).GetAsync(Url))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromSeconds(6));

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token), "EXPIRED");
    }

    [Fact]
    public async Task Authenticate_RotatedOutTokenAfterGrace_Returns401Expired()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["keys:manage"]);
        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromMinutes(1));

        app.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token), "EXPIRED");
        using var fresh = await app.ClientWith(rotated.Token).GetAsync(Url);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    private async Task<System.Text.Json.JsonElement> AssertUnauthorizedAsync(HttpRequestMessage request, string code)
    {
        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // RFC 6750 section 3.1: a request without any credential is told the scheme, with no error code.
        Assert.Equal(code == "MISSING" ? "Bearer" : "Bearer error=\"invalid_token\"", response.Header("WWW-Authenticate"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}

public sealed class SqliteApiKeyScheme401Tests(SqliteDoorApp app) : ApiKeyScheme401Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlApiKeyScheme401Tests(PostgreSqlDoorApp app) : ApiKeyScheme401Tests(app), IClassFixture<PostgreSqlDoorApp>;
