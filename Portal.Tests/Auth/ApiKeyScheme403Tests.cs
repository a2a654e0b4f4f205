using System.Net;
using System.Net.Http.Json;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// The <c>ApiKey</c> scheme with a <c>RequireScope</c> policy refusing a genuine key that may not use
/// the scope now: 403 with the validator's code (<c>INSUFFICIENT_SCOPE</c>, <c>OUTSIDE_TIME_WINDOW</c>,
/// <c>RESOURCE_NOT_ALLOWED</c>) and a detail in words, and nothing done.
/// </summary>
public abstract class ApiKeyScheme403Tests(DoorApp app)
{
    [Theory]
    [InlineData("orders:read")]
    [InlineData("keys:verify")]
    [InlineData("*:read")]
    [InlineData("orders:*")]
    public async Task Authorize_KeyWithoutKeysManage_Returns403InsufficientScope(string scope)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, [scope]);

        using var response = await app.ClientWith(issued.Token).GetAsync("/api/v1/keys");

        await AssertForbiddenAsync(response);
    }

    [Fact]
    public async Task Authorize_KeyWithoutKeysManage_CannotCreateKeys()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.ClientWith(issued.Token).PostAsJsonAsync("/api/v1/keys", new { name = "sneaky", scopes = new[] { "keys:manage" } });

        await AssertForbiddenAsync(response);
        Assert.DoesNotContain("sneaky", await owner.Client.GetStringAsync("/api/v1/keys"));
    }

    [Fact]
    public async Task Authorize_KeysManageGrantOutsideItsWindow_Returns403OutsideTimeWindow_AndLogsItOnce()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("office hours", Grants: [new Grant(Scope.KeysManage, Schedule: WeeklyClock.BusinessHours)]));
        app.Clock.MoveToNext(DayOfWeek.Sunday, 3);

        using var sunday = await app.ClientWith(issued.Token).PostAsJsonAsync("/api/v1/keys", new { name = "weekend" });

        var problem = await AssertForbiddenAsync(sunday, "OUTSIDE_TIME_WINDOW");
        Assert.Contains("not at this time", problem.GetProperty("detail").GetString());
        Assert.Contains("keys:manage", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("weekend", await owner.Client.GetStringAsync("/api/v1/keys"));
        await app.LogSentinelAsync();
        var logged = await app.WaitForLogAsync(q => q.Where(r => r.KeyId == issued.Key.Id));
        Assert.Equal([(Doors.Api, "OUTSIDE_TIME_WINDOW")], logged.Select(r => (r.Door, r.Code)));
    }

    [Fact]
    public async Task Authorize_KeyWhoseOwnScheduleIsClosed_IsAuthenticatedThenRefused403()
    {
        // Who the caller is, is known (401 would tell a client to fetch another credential): it may not act now.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("office hours", Scopes: [Scope.KeysManage], Schedule: WeeklyClock.BusinessHours));
        app.Clock.MoveToNext(DayOfWeek.Sunday, 3);

        using var sunday = await app.ClientWith(issued.Token).GetAsync("/api/v1/keys");

        await AssertForbiddenAsync(sunday, "OUTSIDE_TIME_WINDOW");
        await app.LogSentinelAsync();
        var logged = await app.WaitForLogAsync(q => q.Where(r => r.KeyId == issued.Key.Id));
        Assert.Equal([(Doors.Api, "OUTSIDE_TIME_WINDOW")], logged.Select(r => (r.Door, r.Code)));

        app.Clock.MoveToNext(DayOfWeek.Monday, 10);
        using var monday = await app.ClientWith(issued.Token).GetAsync("/api/v1/keys");
        Assert.Equal(HttpStatusCode.OK, monday.StatusCode);
    }

    [Fact]
    public async Task Authorize_KeysManageLimitedToResources_Returns403ResourceNotAllowed()
    {
        // The management API applies no resource filters after the decision: a limited grant does not open it.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("some keys", Grants: [new Grant(Scope.KeysManage, ["key/ci-*"])]));

        using var response = await app.ClientWith(issued.Token).GetAsync("/api/v1/keys");

        var problem = await AssertForbiddenAsync(response, "RESOURCE_NOT_ALLOWED");
        Assert.Contains("only for some resources", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Authorize_AlternativeScopeOutsideItsWindow_ReportsTheClosestMiss()
    {
        // apis:read or apis:manage opens GET /api/v1/apis: the key lacks the first and holds the second only on weekdays.
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("api office hours", Grants: [new Grant(Scope.ApisManage, Schedule: WeeklyClock.BusinessHours)]));
        app.Clock.MoveToNext(DayOfWeek.Sunday, 3);

        using var sunday = await app.ClientWith(issued.Token).GetAsync("/api/v1/apis");
        app.Clock.MoveToNext(DayOfWeek.Monday, 10);
        using var monday = await app.ClientWith(issued.Token).GetAsync("/api/v1/apis");

        await AssertForbiddenAsync(sunday, "OUTSIDE_TIME_WINDOW");
        Assert.Equal(HttpStatusCode.OK, monday.StatusCode);
    }

    private static async Task<System.Text.Json.JsonElement> AssertForbiddenAsync(HttpResponseMessage response, string code = "INSUFFICIENT_SCOPE")
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(response.Header("WWW-Authenticate"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}

public sealed class SqliteApiKeyScheme403Tests(SqliteDoorApp app) : ApiKeyScheme403Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlApiKeyScheme403Tests(PostgreSqlDoorApp app) : ApiKeyScheme403Tests(app), IClassFixture<PostgreSqlDoorApp>;
