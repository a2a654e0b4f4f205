using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Verify;

/// <summary>Verify with resources, rules and schedules: the effective permissions in the answer.</summary>
public abstract class VerifyEndpointAccessTests(DoorApp app)
{
    [Fact]
    public async Task Verify_ResourceOutsideTheGrantsFilter_IsResourceNotAllowed()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, new CreateKeyCommand("eu assets", Grants: [new Grant("assets:read", ["asset/eu-*"])]));

        var inside = await VerifyAsync(caller, new { key = issued.Token, scope = "assets:read", resource = "asset/eu-17" });
        var outside = await VerifyAsync(caller, new { key = issued.Token, scope = "assets:read", resource = "asset/us-17" });

        Assert.Equal("VALID", inside.GetProperty("code").GetString());
        Assert.Equal("RESOURCE_NOT_ALLOWED", outside.GetProperty("code").GetString());
        Assert.False(outside.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Verify_LimitedScope_ReturnsTheFiltersToApply()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, new CreateKeyCommand("filtered", Scopes: ["orders:read"], Grants: [new Grant("assets:read", ["asset/eu-*", "asset/ch-*"])]));

        var limited = await VerifyAsync(caller, new { key = issued.Token, scope = "assets:read" });
        var unlimited = await VerifyAsync(caller, new { key = issued.Token, scope = "orders:read" });

        var filter = Assert.Single(limited.GetProperty("filters").EnumerateArray());
        Assert.Equal("assets:read", filter.GetProperty("scope").GetString());
        Assert.Equal(["asset/eu-*", "asset/ch-*"], filter.GetProperty("resources").EnumerateArray().Select(r => r.GetString()));
        // assets:read is held for some assets only: described by filters, never listed as a scope held whole.
        Assert.Equal(["orders:read"], limited.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.False(unlimited.TryGetProperty("filters", out _));
    }

    [Fact]
    public async Task Verify_MethodAndPathWithoutScope_UsesTheEndpointRules()
    {
        var caller = await VerifierAsync();
        await app.AddRuleAsync(caller, "POST", "/orders", "orders:write");
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        var apiId = (await app.ApiAsync(caller)).PublicId;

        var denied = await VerifyAsync(caller, new { key = issued.Token, apiId, method = "POST", path = "/orders" });
        var authenticated = await VerifyAsync(caller, new { key = issued.Token });
        using var noApi = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, method = "POST", path = "/orders" });

        Assert.Equal("INSUFFICIENT_SCOPE", denied.GetProperty("code").GetString());
        Assert.Equal("VALID", authenticated.GetProperty("code").GetString());
        // The rules are an API's: without one (and without a scope) the question cannot be answered.
        Assert.Equal(HttpStatusCode.BadRequest, noApi.StatusCode);
        Assert.True((await noApi.ReadJsonAsync()).GetProperty("errors").TryGetProperty("apiId", out _));
    }

    [Fact]
    public async Task Verify_KeyOutsideItsWeeklyWindow_IsOutsideTimeWindow()
    {
        var caller = await VerifierAsync();
        var now = app.Clock.GetUtcNow();
        var closedToday = Enum.GetValues<DayOfWeek>().Where(d => d != now.DayOfWeek && d != now.AddDays(1).DayOfWeek && d != now.AddDays(-1).DayOfWeek)
            .Select(d => d.ToString()[..3].ToLowerInvariant()).ToList();
        var schedule = new AccessSchedule(TimeZone: "Etc/UTC", Windows: [new WeeklyWindow(closedToday, "00:00", "24:00")]);
        var issued = await app.CreateKeyAsync(caller, new CreateKeyCommand("weekly", Scopes: ["orders:read"], Schedule: schedule));

        var answer = await VerifyAsync(caller, new { key = issued.Token, scope = "orders:read" });

        Assert.Equal("OUTSIDE_TIME_WINDOW", answer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Verify_GrantOutsideItsWindow_IsNotListedInScopes()
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, new CreateKeyCommand("office hours", Scopes: ["orders:read"], Grants: [new Grant("orders:write", Schedule: WeeklyClock.BusinessHours)]));

        app.Clock.MoveToNext(DayOfWeek.Sunday, 3);
        var sunday = await VerifyAsync(caller, new { key = issued.Token });
        var write = await VerifyAsync(caller, new { key = issued.Token, scope = "orders:write" });
        app.Clock.MoveToNext(DayOfWeek.Monday, 10);
        var monday = await VerifyAsync(caller, new { key = issued.Token });

        Assert.Equal(["orders:read"], sunday.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("OUTSIDE_TIME_WINDOW", write.GetProperty("code").GetString());
        Assert.Equal(["orders:read", "orders:write"], monday.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Theory]
    [InlineData("asset")]
    [InlineData("asset/*")]
    [InlineData("asset/with space")]
    public async Task Verify_MalformedResource_Returns400NamingResource(string resource)
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        using var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, scope = "orders:read", resource });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("resource", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("orders/1")]
    public async Task Verify_MalformedPath_Returns400NamingPath(string path)
    {
        var caller = await VerifierAsync();
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        using var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, method = "GET", path });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("path", out _));
    }

    private Task<TestUser> VerifierAsync() => app.NewUserAsync(null, Scope.KeysVerify);

    private static async Task<JsonElement> VerifyAsync(TestUser caller, object body)
    {
        using var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }
}

public sealed class SqliteVerifyEndpointAccessTests(SqliteDoorApp app) : VerifyEndpointAccessTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlVerifyEndpointAccessTests(PostgreSqlDoorApp app) : VerifyEndpointAccessTests(app), IClassFixture<PostgreSqlDoorApp>;
