using System.Net;
using System.Net.Http.Json;
using Portal.Core.Access;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Verify;

/// <summary>
/// <c>POST /api/v1/keys/verify</c> refusing a genuine caller whose key lacks <c>keys:verify</c>:
/// the endpoint is no open oracle, so the key in the body is never judged.
/// </summary>
public abstract class VerifyEndpoint403Tests(DoorApp app)
{
    [Theory]
    [InlineData("orders:read")]
    [InlineData("keys:manage")]
    [InlineData("keys:verify:extra")]
    public async Task Verify_CallerWithoutKeysVerify_Returns403InsufficientScope(string callerScope)
    {
        var owner = await app.NewUserAsync();
        var callerKey = await app.CreateKeyAsync(owner, [callerScope]);
        var target = await app.CreateKeyAsync(owner, ["orders:read"]);

        var response = await app.ClientWith(callerKey.Token).PostAsJsonAsync("/api/v1/keys/verify", new { key = target.Token });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("INSUFFICIENT_SCOPE", problem.GetProperty("code").GetString());
        Assert.False(problem.TryGetProperty("valid", out _));
        Assert.Null(response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task Verify_CallerWithoutKeysVerify_DoesNotJudgeTheKey()
    {
        var owner = await app.NewUserAsync();
        var callerKey = await app.CreateKeyAsync(owner, ["orders:read"]);
        var target = await app.CreateKeyAsync(owner, ["orders:read"]);

        await app.ClientWith(callerKey.Token).PostAsJsonAsync("/api/v1/keys/verify", new { key = target.Token });
        await app.LogSentinelAsync();

        var verifyDecisions = await app.WaitForLogAsync(q => q.Where(r => r.KeyId == target.Key.Id), atLeast: 0);
        Assert.Empty(verifyDecisions);
        Assert.Empty(await app.FlushedUsageAsync(target.Key.Id));
    }
}

public sealed class SqliteVerifyEndpoint403Tests(SqliteDoorApp app) : VerifyEndpoint403Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlVerifyEndpoint403Tests(PostgreSqlDoorApp app) : VerifyEndpoint403Tests(app), IClassFixture<PostgreSqlDoorApp>;
