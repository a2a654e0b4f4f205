using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Access;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Verify;

/// <summary>
/// <c>POST /api/v1/keys/verify</c> refusing a caller that did not prove itself: 401, a Bearer
/// challenge and the reason code, and the key in the body is never judged.
/// </summary>
public abstract class VerifyEndpoint401Tests(DoorApp app)
{
    [Fact]
    public async Task Verify_NoCallerKey_Returns401()
    {
        var target = await TargetAsync();

        await AssertUnauthorizedAsync(Request(target), "MISSING");
    }

    [Fact]
    public async Task Verify_CallerKeyWithBasicScheme_Returns401()
    {
        var (caller, target) = await CallerAndTargetAsync();
        var request = Request(target);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("user:pass"u8.ToArray()));

        await AssertUnauthorizedAsync(request, "MALFORMED");
        Assert.NotNull(caller);
    }

    [Fact]
    public async Task Verify_CallerSendsTwoKeys_Returns401()
    {
        var (caller, target) = await CallerAndTargetAsync();

        await AssertUnauthorizedAsync(Request(target).WithBearer(caller).WithRawHeader("X-Api-Key", caller), "MALFORMED");
    }

    [Fact]
    public async Task Verify_CallerSendsTwoAuthorizationHeaders_Returns401()
    {
        var (caller, target) = await CallerAndTargetAsync();

        await AssertUnauthorizedAsync(Request(target).WithRawHeader("Authorization", $"Bearer {caller}", $"Bearer {caller}"), "MALFORMED");
    }

    [Fact]
    public async Task Verify_CallerKeyWithBadChecksum_Returns401Malformed()
    {
        var (caller, target) = await CallerAndTargetAsync();

        await AssertUnauthorizedAsync(Request(target).WithBearer(DoorTestKit.WithBadChecksum(caller)), "MALFORMED");
    }

    [Fact]
    public async Task Verify_UnknownCallerKey_Returns401NotFound()
    {
        var target = await TargetAsync();

        await AssertUnauthorizedAsync(Request(target).WithBearer(DoorTestKit.UnknownToken()), "NOT_FOUND");
    }

    [Fact]
    public async Task Verify_RevokedCallerKey_Returns401Revoked()
    {
        var owner = await app.NewUserAsync();
        var callerKey = await app.CreateKeyAsync(owner, [Scope.KeysVerify]);
        var target = (await app.CreateKeyAsync(owner, ["orders:read"])).Token;
        var before = await app.ClientWith(callerKey.Token).PostAsJsonAsync("/api/v1/keys/verify", new { key = target });
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await app.RevokeAsync(owner, callerKey.Key.Id);

        await AssertUnauthorizedAsync(Request(target).WithBearer(callerKey.Token), "REVOKED");
    }

    [Fact]
    public async Task Verify_ExpiredCallerKey_Returns401Expired()
    {
        var owner = await app.NewUserAsync();
        var callerKey = await app.CreateKeyAsync(owner, [Scope.KeysVerify], app.Clock.GetUtcNow().AddMinutes(1));
        var target = (await app.CreateKeyAsync(owner, ["orders:read"])).Token;

        app.Clock.Advance(TimeSpan.FromMinutes(2));

        await AssertUnauthorizedAsync(Request(target).WithBearer(callerKey.Token), "EXPIRED");
    }

    private async Task<string> TargetAsync()
    {
        var owner = await app.NewUserAsync();
        return (await app.CreateKeyAsync(owner, ["orders:read"])).Token;
    }

    private async Task<(string Caller, string Target)> CallerAndTargetAsync()
    {
        var owner = await app.NewUserAsync();
        var caller = await app.CreateKeyAsync(owner, [Scope.KeysVerify]);
        var target = await app.CreateKeyAsync(owner, ["orders:read"]);
        return (caller.Token, target.Token);
    }

    private static HttpRequestMessage Request(string key) =>
        new(HttpMethod.Post, "/api/v1/keys/verify") { Content = JsonContent.Create(new { key }) };

    private async Task AssertUnauthorizedAsync(HttpRequestMessage request, string code)
    {
        using var response = await app.AnonymousClient().SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"Expected 401, got {response.StatusCode}: {body}");
        Assert.Equal(code == "MISSING" ? "Bearer" : "Bearer error=\"invalid_token\"", response.Header("WWW-Authenticate"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(problem.TryGetProperty("valid", out _), "The key in the body must not be judged.");
    }
}

public sealed class SqliteVerifyEndpoint401Tests(SqliteDoorApp app) : VerifyEndpoint401Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlVerifyEndpoint401Tests(PostgreSqlDoorApp app) : VerifyEndpoint401Tests(app), IClassFixture<PostgreSqlDoorApp>;
