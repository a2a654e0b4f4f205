using System.Net;
using System.Net.Http.Headers;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// <c>/api/v1/auth/check</c> refusing a request that carries no usable key: 401 with
/// <c>WWW-Authenticate: Bearer error="invalid_token"</c> and the reason in <c>X-Auth-Code</c>.
/// </summary>
public abstract class CheckEndpoint401Tests(DoorApp app)
{
    private const string Url = "/api/v1/auth/check?scope=orders:read";

    [Fact]
    public async Task Check_NoKey_Returns401Malformed()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url), "MALFORMED");
    }

    [Fact]
    public async Task Check_EmptyBearer_Returns401Malformed()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("Authorization", "Bearer "), "MALFORMED");
    }

    [Fact]
    public async Task Check_EmptyXApiKey_Returns401Malformed()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("X-Api-Key", ""), "MALFORMED");
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Digest")]
    [InlineData("ApiKey")]
    [InlineData("Token")]
    public async Task Check_GenuineKeyUnderWrongScheme_Returns401Malformed(string scheme)
    {
        var token = await GenuineTokenAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, Url);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);

        await AssertUnauthorizedAsync(request, "MALFORMED");
    }

    [Fact]
    public async Task Check_KeyInBothAuthorizationAndXApiKey_Returns401Malformed()
    {
        // Even the same genuine key twice: which one counts would be a guess, so neither does.
        var token = await GenuineTokenAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(token).WithRawHeader("X-Api-Key", token), "MALFORMED");
    }

    [Fact]
    public async Task Check_TwoAuthorizationHeaders_Returns401Malformed()
    {
        var token = await GenuineTokenAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("Authorization", $"Bearer {token}", $"Bearer {token}"), "MALFORMED");
    }

    [Fact]
    public async Task Check_TwoXApiKeyHeaders_Returns401Malformed()
    {
        var token = await GenuineTokenAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("X-Api-Key", token, DoorTestKit.UnknownToken()), "MALFORMED");
    }

    [Theory]
    [MemberData(nameof(DoorTestKit.MalformedTokenNames), MemberType = typeof(DoorTestKit))]
    public async Task Check_MalformedToken_Returns401Malformed(string kind)
    {
        var token = DoorTestKit.MalformedToken(kind);

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("X-Api-Key", token), "MALFORMED");
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithRawHeader("Authorization", "Bearer " + token), "MALFORMED");
    }

    [Fact]
    public async Task Check_UnknownWellFormedToken_Returns401NotFound()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(DoorTestKit.UnknownToken()), "NOT_FOUND");
    }

    [Fact]
    public async Task Check_RevokedKey_Returns401RevokedOnTheVeryNextRequest()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        using (var cached = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        await app.RevokeAsync(owner, issued.Key.Id);

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token), "REVOKED");
    }

    [Fact]
    public async Task Check_ExpiredKey_Returns401Expired()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddSeconds(5));
        using (var cached = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromSeconds(6));

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token), "EXPIRED");
    }

    [Fact]
    public async Task Check_RotatedOutTokenAfterGrace_Returns401Expired()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromMinutes(10));

        app.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token), "EXPIRED");
    }

    [Fact]
    public async Task Check_RotatedWithoutGrace_Returns401ExpiredForOldTokenAtOnce()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        using (var cached = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.Zero);

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(issued.Token), "EXPIRED");
        using var fresh = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, Url).WithBearer(rotated.Token));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Check_SuffixFormWithBadKey_Returns401()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/auth/check/orders/42").WithBearer(DoorTestKit.UnknownToken()), "NOT_FOUND");
    }

    private async Task<string> GenuineTokenAsync()
    {
        var owner = await app.NewUserAsync();
        return (await app.CreateKeyAsync(owner, ["orders:read"])).Token;
    }

    private async Task AssertUnauthorizedAsync(HttpRequestMessage request, string code)
    {
        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, response.Header("X-Auth-Code"));
        Assert.Equal("Bearer error=\"invalid_token\"", response.Header("WWW-Authenticate"));
        Assert.Null(response.Header("X-Auth-Key-Id"));
        Assert.Null(response.Header("X-Auth-Scopes"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await response.ReadJsonAsync()).GetProperty("status").GetInt32());
    }
}

public sealed class SqliteCheckEndpoint401Tests(SqliteDoorApp app) : CheckEndpoint401Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpoint401Tests(PostgreSqlDoorApp app) : CheckEndpoint401Tests(app), IClassFixture<PostgreSqlDoorApp>;
