using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Access;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Verify;

/// <summary>
/// <c>POST /api/v1/keys/verify</c> answering 200: the decision about the key in the body, with the
/// key's identity only when it is valid.
/// </summary>
public abstract class VerifyEndpoint200Tests(DoorApp app)
{
    private static readonly string[] IdentityFields = ["keyId", "name", "ownerId", "organizationId", "scopes", "expiresAt"];

    [Fact]
    public async Task Verify_ValidKey_ReturnsValidWithIdentity()
    {
        var caller = await VerifierAsync();
        var expiresAt = app.Clock.GetUtcNow().AddDays(30);
        var issued = await app.CreateKeyAsync(caller, ["orders:write", "orders:read"], expiresAt);

        var answer = await VerifyAsync(caller, new { key = issued.Token });

        Assert.True(answer.GetProperty("valid").GetBoolean());
        Assert.Equal("VALID", answer.GetProperty("code").GetString());
        Assert.Equal(issued.Key.Id, answer.GetProperty("keyId").GetGuid());
        Assert.Equal(issued.Key.Name, answer.GetProperty("name").GetString());
        Assert.Equal(caller.User.Id, answer.GetProperty("ownerId").GetGuid());
        Assert.Equal(caller.OrganizationId, answer.GetProperty("organizationId").GetGuid());
        Assert.Equal(["orders:read", "orders:write"], answer.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(expiresAt.ToUnixTimeSeconds(), answer.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Verify_ValidKeyHoldingScope_ReturnsValid()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var answer = await VerifyAsync(caller, new { key = issued.Token, scope = "orders:read", method = "GET", path = "/orders/1", clientIp = "203.0.113.5" });

        AssertValid(answer);
        Assert.False(answer.TryGetProperty("expiresAt", out _), "A key that never expires has no expiresAt.");
    }

    [Fact]
    public async Task Verify_KeyLackingScope_ReturnsInsufficientScopeWithoutIdentity()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var answer = await VerifyAsync(caller, new { key = issued.Token, scope = "orders:write" });

        AssertInvalid(answer, "INSUFFICIENT_SCOPE");
    }

    [Theory]
    [InlineData("orders:read")]
    [InlineData("orders:write")]
    [InlineData("orders:refund:partial")]
    public async Task Verify_WildcardGrant_SatisfiesAnyActionOfItsResource(string required)
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:*"]);

        AssertValid(await VerifyAsync(caller, new { key = issued.Token, scope = required }));
    }

    [Fact]
    public async Task Verify_WildcardGrant_DoesNotSatisfyAnotherResource()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:*"]);

        AssertInvalid(await VerifyAsync(caller, new { key = issued.Token, scope = "billing:read" }), "INSUFFICIENT_SCOPE");
    }

    [Fact]
    public async Task Verify_CallerWithWildcardKeysScope_IsAllowed()
    {
        var owner = await app.NewUserAsync();
        var callerKey = await app.CreateKeyAsync(owner, ["keys:*"]);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        var response = await app.ClientWith(callerKey.Token).PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertValid(await response.ReadJsonAsync());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("bad checksum")]
    [InlineData("unicode")]
    [InlineData("control characters")]
    [InlineData("whitespace only")]
    [InlineData("prefix only")]
    public async Task Verify_MalformedToken_ReturnsMalformed(string kind)
    {
        var caller = await VerifierAsync();

        AssertInvalid(await VerifyAsync(caller, new { key = DoorTestKit.MalformedToken(kind) }), "MALFORMED");
    }

    [Fact]
    public async Task Verify_TokenLongerThanAnyKeyButWithinBodyLimit_ReturnsMalformed()
    {
        var caller = await VerifierAsync();

        AssertInvalid(await VerifyAsync(caller, new { key = "pk_test_" + new string('A', 7 * 1024) }), "MALFORMED");
    }

    [Fact]
    public async Task Verify_UnknownWellFormedToken_ReturnsNotFound()
    {
        var caller = await VerifierAsync();

        AssertInvalid(await VerifyAsync(caller, new { key = DoorTestKit.UnknownToken() }), "NOT_FOUND");
    }

    [Fact]
    public async Task Verify_KeyOfAnotherOrganization_ReturnsNotFoundWithoutIdentity()
    {
        var caller = await VerifierAsync();
        var stranger = await app.NewUserAsync();
        var theirs = await app.CreateKeyAsync(stranger, ["orders:read"]);

        var plain = await VerifyAsync(caller, new { key = theirs.Token });
        var scoped = await VerifyAsync(caller, new { key = theirs.Token, scope = "orders:read" });

        AssertInvalid(plain, "NOT_FOUND");
        AssertInvalid(scoped, "NOT_FOUND");
    }

    [Fact]
    public async Task Verify_KeyRevokedThroughApi_ReturnsRevokedOnTheVeryNextRequest()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);
        AssertValid(await VerifyAsync(caller, new { key = issued.Token }));

        var revoke = await caller.Client.PostAsync($"/api/v1/keys/{issued.Key.Id}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        AssertInvalid(await VerifyAsync(caller, new { key = issued.Token }), "REVOKED");
    }

    [Fact]
    public async Task Verify_ExpiredKey_ReturnsExpired()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"], app.Clock.GetUtcNow().AddSeconds(5));
        AssertValid(await VerifyAsync(caller, new { key = issued.Token }));

        // Within the cache's freshness: expiry is judged against the clock, not the cached answer.
        app.Clock.Advance(TimeSpan.FromSeconds(6));

        AssertInvalid(await VerifyAsync(caller, new { key = issued.Token }), "EXPIRED");
    }

    [Fact]
    public async Task Verify_RotatedKeyDuringGrace_AcceptsOldAndNewTokens()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);
        AssertValid(await VerifyAsync(caller, new { key = issued.Token }));

        var rotated = await app.RotateAsync(caller, issued.Key.Id, TimeSpan.FromHours(1));
        app.Clock.Advance(TimeSpan.FromMinutes(59));

        var old = await VerifyAsync(caller, new { key = issued.Token });
        var fresh = await VerifyAsync(caller, new { key = rotated.Token });
        AssertValid(old);
        AssertValid(fresh);
        Assert.Equal(issued.Key.Id, old.GetProperty("keyId").GetGuid());
        Assert.Equal(issued.Key.Id, fresh.GetProperty("keyId").GetGuid());
    }

    [Fact]
    public async Task Verify_RotatedKeyAfterGrace_ReturnsExpiredForOldToken()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);
        var rotated = await app.RotateAsync(caller, issued.Key.Id, TimeSpan.FromHours(1));

        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        AssertInvalid(await VerifyAsync(caller, new { key = issued.Token }), "EXPIRED");
        AssertValid(await VerifyAsync(caller, new { key = rotated.Token }));
    }

    [Fact]
    public async Task Verify_RotatedWithoutGrace_ReturnsExpiredForOldTokenAtOnce()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);
        AssertValid(await VerifyAsync(caller, new { key = issued.Token }));

        await app.RotateAsync(caller, issued.Key.Id, TimeSpan.Zero);

        AssertInvalid(await VerifyAsync(caller, new { key = issued.Token }), "EXPIRED");
    }

    private Task<TestUser> VerifierAsync() => app.NewUserAsync(null, Scope.KeysVerify);

    private static async Task<JsonElement> VerifyAsync(TestUser caller, object body)
    {
        var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static void AssertValid(JsonElement answer)
    {
        Assert.True(answer.GetProperty("valid").GetBoolean(), $"Expected valid, got {answer}");
        Assert.Equal("VALID", answer.GetProperty("code").GetString());
        Assert.True(answer.TryGetProperty("keyId", out _));
    }

    private static void AssertInvalid(JsonElement answer, string code)
    {
        Assert.False(answer.GetProperty("valid").GetBoolean(), $"Expected {code}, got {answer}");
        Assert.Equal(code, answer.GetProperty("code").GetString());
        Assert.All(IdentityFields, field => Assert.False(answer.TryGetProperty(field, out _), $"'{field}' must be absent when the key is not valid: {answer}"));
    }
}

public sealed class SqliteVerifyEndpoint200Tests(SqliteDoorApp app) : VerifyEndpoint200Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlVerifyEndpoint200Tests(PostgreSqlDoorApp app) : VerifyEndpoint200Tests(app), IClassFixture<PostgreSqlDoorApp>;
