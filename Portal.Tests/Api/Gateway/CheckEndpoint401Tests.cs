using System.Net;
using System.Net.Http.Headers;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// An API's gateway door refusing a request that carries no usable key: 401 with
/// <c>WWW-Authenticate: Bearer error="invalid_token"</c> (a bare <c>Bearer</c> when there is no key at all,
/// <c>MISSING</c>) and the reason in <c>X-Auth-Code</c>.
/// A key of another organization than the API's is no key here: 401 <c>NOT_FOUND</c>.
/// </summary>
public abstract class CheckEndpoint401Tests(DoorApp app)
{

    [Fact]
    public async Task Check_NoKey_Returns401Missing()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await UrlAsync()), "MISSING");
    }

    [Fact]
    public async Task Check_EmptyBearer_Returns401Missing()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await UrlAsync()).WithRawHeader("Authorization", "Bearer "), "MISSING");
    }

    [Fact]
    public async Task Check_EmptyXApiKey_Returns401Missing()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await UrlAsync()).WithRawHeader("X-Api-Key", ""), "MISSING");
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Digest")]
    [InlineData("ApiKey")]
    [InlineData("Token")]
    public async Task Check_GenuineKeyUnderWrongScheme_Returns401Malformed(string scheme)
    {
        var (url, token) = await GenuineAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);

        await AssertUnauthorizedAsync(request, "MALFORMED");
    }

    [Fact]
    public async Task Check_KeyInBothAuthorizationAndXApiKey_Returns401Malformed()
    {
        // Even the same genuine key twice: which one counts would be a guess, so neither does.
        var (url, token) = await GenuineAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(token).WithRawHeader("X-Api-Key", token), "MALFORMED");
    }

    [Fact]
    public async Task Check_TwoAuthorizationHeaders_Returns401Malformed()
    {
        var (url, token) = await GenuineAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithRawHeader("Authorization", $"Bearer {token}", $"Bearer {token}"), "MALFORMED");
    }

    [Fact]
    public async Task Check_TwoXApiKeyHeaders_Returns401Malformed()
    {
        var (url, token) = await GenuineAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithRawHeader("X-Api-Key", token, DoorTestKit.UnknownToken()), "MALFORMED");
    }

    [Theory]
    [MemberData(nameof(DoorTestKit.MalformedHeaderTokenNames), MemberType = typeof(DoorTestKit))]
    public async Task Check_MalformedToken_Returns401Malformed(string kind)
    {
        var token = DoorTestKit.MalformedToken(kind);
        var url = await UrlAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithRawHeader("X-Api-Key", token), "MALFORMED");
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithRawHeader("Authorization", "Bearer " + token), "MALFORMED");
    }

    [Fact]
    public async Task Check_UnknownWellFormedToken_Returns401NotFound()
    {
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await UrlAsync()).WithBearer(DoorTestKit.UnknownToken()), "NOT_FOUND");
    }

    [Fact]
    public async Task Check_KeyOfAnotherOrganization_Returns401NotFound_InBothForms()
    {
        // Answered exactly like an unknown key, so the API's owner cannot learn which keys exist elsewhere.
        var stranger = await app.NewUserAsync();
        var foreign = await app.CreateKeyAsync(stranger, ["orders:read"]);
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        await app.AllowUnmatchedAsync(owner);

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(foreign.Token), "NOT_FOUND");
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/1")).WithBearer(foreign.Token), "NOT_FOUND");
        using var own = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(stranger, "orders:read")).WithBearer(foreign.Token));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task Check_KeyOfAnotherOrganization_IsLoggedInNoOrganization()
    {
        var stranger = await app.NewUserAsync();
        var foreign = await app.CreateKeyAsync(stranger, ["orders:read"]);
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var path = $"/foreign/{Guid.NewGuid():N}";

        // An address of its own: keyless decisions from one address are one record per minute, showing the first one's path.
        var client = $"2001:db8:{Random.Shared.Next(0x10000):x}::{Random.Shared.Next(1, 0x10000):x}";
        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, path))
            .WithBearer(foreign.Token).WithRawHeader(DoorApp.PeerHeader, client));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path == path)));
        Assert.Equal("NOT_FOUND", record.Code);
        Assert.Equal((null, null, null), (record.OrganizationId, record.KeyId, record.OwnerId));
    }

    [Fact]
    public async Task Check_RevokedKey_Returns401RevokedOnTheVeryNextRequest()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var url = await app.CheckUrlAsync(owner, "orders:read");
        using (var cached = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        await app.RevokeAsync(owner, issued.Key.Id);

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token), "REVOKED");
    }

    [Fact]
    public async Task Check_ExpiredKey_Returns401Expired()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddSeconds(5));
        var url = await app.CheckUrlAsync(owner, "orders:read");
        using (var cached = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromSeconds(6));

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token), "EXPIRED");
    }

    [Fact]
    public async Task Check_RotatedOutTokenAfterGrace_Returns401Expired()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromMinutes(10));

        app.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(issued.Token), "EXPIRED");
    }

    [Fact]
    public async Task Check_RotatedWithoutGrace_Returns401ExpiredForOldTokenAtOnce()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var url = await app.CheckUrlAsync(owner, "orders:read");
        using (var cached = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.Zero);

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token), "EXPIRED");
        using var fresh = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(rotated.Token));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task ExtAuthz_BadKey_Returns401()
    {
        var owner = await app.NewUserAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Delete, await app.ExtAuthzUrlAsync(owner, "/orders/42")).WithBearer(DoorTestKit.UnknownToken()), "NOT_FOUND");
        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Delete, await app.ExtAuthzUrlAsync(owner, "/orders/42")), "MISSING");
    }

    [Fact]
    public async Task Check_BadKeyAndPathNotCanonical_Returns401First()
    {
        // The key is read before the target: a caller without a usable key learns nothing about paths.
        var owner = await app.NewUserAsync();

        await AssertUnauthorizedAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/%2e%2e/admin")).WithBearer(DoorTestKit.UnknownToken()), "NOT_FOUND");
    }

    // The header form of a new organization's API, with a scope in its query.
    private async Task<string> UrlAsync() => await app.CheckUrlAsync(await app.NewUserAsync(), "orders:read");

    private async Task<(string Url, string Token)> GenuineAsync()
    {
        var owner = await app.NewUserAsync();
        return (await app.CheckUrlAsync(owner, "orders:read"), (await app.CreateKeyAsync(owner, ["orders:read"])).Token);
    }

    private async Task AssertUnauthorizedAsync(HttpRequestMessage request, string code)
    {
        using var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, response.Header("X-Auth-Code"));
        // RFC 6750 section 3.1: a request without any credential is told the scheme, with no error code.
        Assert.Equal(code == "MISSING" ? "Bearer" : "Bearer error=\"invalid_token\"", response.Header("WWW-Authenticate"));
        Assert.Null(response.Header("X-Auth-Key-Id"));
        Assert.Null(response.Header("X-Auth-Scopes"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await response.ReadJsonAsync()).GetProperty("status").GetInt32());
    }
}

public sealed class SqliteCheckEndpoint401Tests(SqliteDoorApp app) : CheckEndpoint401Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpoint401Tests(PostgreSqlDoorApp app) : CheckEndpoint401Tests(app), IClassFixture<PostgreSqlDoorApp>;
