using System.Net;
using System.Net.Http.Json;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// One key, one moment, every door: verify, the gateway door's header form and path form, and the
/// management API (the ApiKey scheme) decide a key with a business-hours schedule alike. On Sunday
/// at 03:00 each gives <c>OUTSIDE_TIME_WINDOW</c> in the class <see cref="ReasonCodes.StatusOf"/>
/// names (verify answers 200 with <c>valid: false</c>), and the authentication log holds one record
/// per door with that code; on Monday at 10:00 every door allows it.
/// </summary>
public abstract class DoorAgreementTests(DoorApp app)
{
    public static TheoryData<string> Schedules() => ["on the grants", "on the key"];

    [Theory]
    [MemberData(nameof(Schedules))]
    public async Task EveryDoor_SameKeyOutsideAndInsideItsWindow_SameCodeAndStatusClass(string where)
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var issued = await app.CreateKeyAsync(owner, where == "on the key"
            ? new CreateKeyCommand("office hours", Scopes: [Scope.KeysManage, "orders:read"], Schedule: WeeklyClock.BusinessHours)
            : new CreateKeyCommand("office hours", Grants: [new Grant(Scope.KeysManage, Schedule: WeeklyClock.BusinessHours), new Grant("orders:read", Schedule: WeeklyClock.BusinessHours)]));

        app.Clock.MoveToNext(DayOfWeek.Sunday, 3);
        var outside = await AskEveryDoorAsync(owner, issued.Token);
        app.Clock.MoveToNext(DayOfWeek.Monday, 10);
        var inside = await AskEveryDoorAsync(owner, issued.Token);

        Assert.Equal(
            [(Doors.Verify, 200, "OUTSIDE_TIME_WINDOW"), (Doors.Check, 403, "OUTSIDE_TIME_WINDOW"), (Doors.ExtAuthz, 403, "OUTSIDE_TIME_WINDOW"), (Doors.Api, 403, "OUTSIDE_TIME_WINDOW")],
            outside);
        Assert.All(outside.Where(a => a.Door != Doors.Verify), a => Assert.Equal(ReasonCodes.StatusOf(a.Code), a.Status));
        Assert.All(inside, a => Assert.Equal((200, "VALID"), (a.Status, a.Code)));

        await app.LogSentinelAsync();
        var logged = await app.WaitForLogAsync(q => q.Where(r => r.KeyId == issued.Key.Id), atLeast: 8);
        Assert.Equal(
            outside.Concat(inside).Select(a => $"{a.Door} {a.Code}").Order(StringComparer.Ordinal),
            logged.Select(r => $"{r.Door} {r.Code}").Order(StringComparer.Ordinal));
    }

    // Each door's answer as (door, HTTP status, reason code); the management API's 200 carries no code and is VALID.
    private async Task<List<(string Door, int Status, string Code)>> AskEveryDoorAsync(TestUser owner, string token)
    {
        var client = app.AnonymousClient();
        var answers = new List<(string, int, string)>();

        using (var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = token, scope = "orders:read" }))
        {
            var body = await verify.ReadJsonAsync();
            var code = body.GetProperty("code").GetString()!;
            Assert.Equal(code == ReasonCodes.Valid, body.GetProperty("valid").GetBoolean());
            answers.Add((Doors.Verify, (int)verify.StatusCode, code));
        }

        using (var check = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(token)))
        {
            answers.Add((Doors.Check, (int)check.StatusCode, check.Header("X-Auth-Code")!));
        }

        using (var extAuthz = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/42")).WithBearer(token)))
        {
            answers.Add((Doors.ExtAuthz, (int)extAuthz.StatusCode, extAuthz.Header("X-Auth-Code")!));
        }

        using (var management = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(token)))
        {
            var code = management.StatusCode == HttpStatusCode.OK ? ReasonCodes.Valid : (await management.ReadJsonAsync()).GetProperty("code").GetString()!;
            answers.Add((Doors.Api, (int)management.StatusCode, code));
        }

        return answers;
    }
}

public sealed class SqliteDoorAgreementTests(SqliteDoorApp app) : DoorAgreementTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlDoorAgreementTests(PostgreSqlDoorApp app) : DoorAgreementTests(app), IClassFixture<PostgreSqlDoorApp>;
