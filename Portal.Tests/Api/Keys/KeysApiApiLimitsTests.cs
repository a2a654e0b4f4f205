using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api.Keys;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>
/// Keys limited to some of their organization's APIs (<c>apiIds</c>): checked on create and update,
/// shown in the key's JSON, audited, and honoured at the gateway door from the next request.
/// </summary>
public abstract class KeysApiApiLimitsTests(PortalApp app)
{
    [Fact]
    public async Task Create_WithOwnApis_StoresAndShowsThem()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var orders = await owner.Client.CreateApiAsync("orders");
        var billing = await owner.Client.CreateApiAsync("billing");

        var created = await owner.Client.CreateKeyAsync(new { name = "limited", apiIds = new[] { billing.Id, orders.Id } });
        var read = await (await owner.Client.GetAsync($"/api/v1/keys/{created.Key.Id}")).ReadAsync<KeyResponse>(HttpStatusCode.OK);

        Assert.Equal([billing.Id, orders.Id], created.Key.ApiIds);
        Assert.Equal([billing.Id, orders.Id], read.ApiIds);
    }

    [Fact]
    public async Task Create_WithoutApis_MayCallAll()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);

        var created = await owner.Client.CreateKeyAsync(new { name = "unlimited" });
        var json = await (await owner.Client.GetAsync($"/api/v1/keys/{created.Key.Id}")).Content.ReadAsStringAsync();

        Assert.Empty(created.Key.ApiIds);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(json).RootElement.GetProperty("apiIds").ValueKind);
    }

    [Fact]
    public async Task Create_AnotherOrganizationsApi_Returns400NamingApiIdsAndTheIdLikeAnUnknownOne()
    {
        var alice = await app.NewUserAsync(null, Scope.ApisManage);
        var bob = await app.NewUserAsync(null, Scope.ApisManage);
        var own = await alice.Client.CreateApiAsync("alice's");
        var bobs = await bob.Client.CreateApiAsync("bob's");
        var unknown = ApiId.Format(Guid.CreateVersion7());

        var foreign = await alice.Client.PostAsJsonAsync("/api/v1/keys", new { name = "sneaky", apiIds = new[] { own.Id, bobs.Id } });
        var missing = await alice.Client.PostAsJsonAsync("/api/v1/keys", new { name = "sneaky", apiIds = new[] { unknown } });

        var foreignMessage = Assert.Single((await foreign.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors()["apiIds"]);
        var missingMessage = Assert.Single((await missing.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors()["apiIds"]);
        Assert.Contains(bobs.Id, foreignMessage, StringComparison.Ordinal);
        Assert.Equal(missingMessage.Replace(unknown, bobs.Id, StringComparison.Ordinal), foreignMessage);
        Assert.DoesNotContain("bob", foreignMessage, StringComparison.OrdinalIgnoreCase);
        await AssertOnlyManagementKeyAsync(alice);
    }

    public static TheoryData<string, string> BadApiIds => new()
    {
        { "not an id", """["orders"]""" },
        { "a bare guid", $"""["{Guid.NewGuid()}"]""" },
        { "upper-case hex", $"""["api_{Guid.NewGuid().ToString("N").ToUpperInvariant()}"]""" },
        { "null entry", "[null]" },
        { "a number", "[1]" },
        { "a string instead of a list", "\"api_x\"" },
    };

    [Theory]
    [MemberData(nameof(BadApiIds))]
    public async Task Create_MalformedApiIds_Returns400NamingApiIds(string scenario, string apiIds)
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);

        var response = await owner.Client.PostAsync("/api/v1/keys", Json($$"""{"name":"bad","apiIds":{{apiIds}}}"""));

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.True(errors.Keys.Any(k => k.StartsWith("apiIds", StringComparison.Ordinal)), $"{scenario}: errors name {string.Join(", ", errors.Keys)}");
        await AssertOnlyManagementKeyAsync(owner);
    }

    [Fact]
    public async Task Create_SameApiTwice_Returns400NamingIt()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("orders");

        var response = await owner.Client.PostAsJsonAsync("/api/v1/keys", new { name = "twice", apiIds = new[] { api.Id, api.Id } });

        Assert.Contains(api.Id, Assert.Single((await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors()["apiIds"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_MoreApisThanTheMaximum_Returns400NamingTheMaximum()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var ids = Enumerable.Range(0, ApiKey.MaxApis + 1).Select(_ => ApiId.Format(Guid.CreateVersion7())).ToArray();

        var response = await owner.Client.PostAsJsonAsync("/api/v1/keys", new { name = "many", apiIds = ids });

        Assert.Contains($"{ApiKey.MaxApis}", Assert.Single((await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors()["apiIds"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_ApiIds_ChangesThemAuditsBeforeAndAfterAndEmptyMeansAll()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var orders = await owner.Client.CreateApiAsync("orders");
        var billing = await owner.Client.CreateApiAsync("billing");
        var created = await owner.Client.CreateKeyAsync(new { name = "moving", apiIds = new[] { orders.Id } });

        var moved = await (await owner.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { apiIds = new[] { billing.Id } })).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        var renamed = await (await owner.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { name = "moved" })).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        var widened = await (await owner.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { apiIds = Array.Empty<string>() })).ReadAsync<KeyResponse>(HttpStatusCode.OK);

        Assert.Equal([billing.Id], moved.ApiIds);
        Assert.Equal([billing.Id], renamed.ApiIds);
        Assert.Empty(widened.ApiIds);
        await using var scope = app.Scope();
        var details = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .Where(r => r.Action == AuditActions.KeyUpdated && r.TargetId == created.Key.Id.ToString())
            .Select(r => r.Details!).ToListAsync();
        static string[] ApiIdsOf(JsonElement record, string side) => [.. record.GetProperty(side).GetProperty("apiIds").EnumerateArray().Select(e => e.GetString()!)];
        var changes = details.Select(d => JsonDocument.Parse(d).RootElement).Select(r => (Before: ApiIdsOf(r, "before"), After: ApiIdsOf(r, "after"))).ToList();
        Assert.Equal(3, changes.Count);
        Assert.Contains(changes, c => c.Before.SequenceEqual([orders.Id]) && c.After.SequenceEqual([billing.Id]));
        Assert.Contains(changes, c => c.Before.SequenceEqual([billing.Id]) && c.After.Length == 0);
    }

    [Fact]
    public async Task Update_AnotherOrganizationsApi_Returns400AndKeepsTheLimit()
    {
        var alice = await app.NewUserAsync(null, Scope.ApisManage);
        var bob = await app.NewUserAsync(null, Scope.ApisManage);
        var own = await alice.Client.CreateApiAsync("alice's");
        var bobs = await bob.Client.CreateApiAsync("bob's");
        var created = await alice.Client.CreateKeyAsync(new { name = "limited", apiIds = new[] { own.Id } });

        var response = await alice.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { apiIds = new[] { bobs.Id } });

        Assert.Contains("apiIds", (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
        var read = await (await alice.Client.GetAsync($"/api/v1/keys/{created.Key.Id}")).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        Assert.Equal([own.Id], read.ApiIds);
    }

    [Fact]
    public async Task GatewayDoor_KeyLimitedToAnotherApi_Returns403ApiNotAllowed_AndItsOwnApi200()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var orders = await owner.Client.CreateApiAsync("orders");
        var billing = await owner.Client.CreateApiAsync("billing");
        var limited = await owner.Client.CreateKeyAsync(new { name = "orders only", scopes = new[] { "orders:read" }, apiIds = new[] { orders.Id } });

        var own = await app.CreateClient().SendAsync(Check(orders.Id, limited.Token));
        var other = await app.CreateClient().SendAsync(Check(billing.Id, limited.Token));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(orders.Id, own.Headers.GetValues("X-Auth-Api-Id").Single());
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(ReasonCodes.ApiNotAllowed, other.Headers.GetValues("X-Auth-Code").Single());
    }

    [Fact]
    public async Task GatewayDoor_LimitChanged_AppliesFromTheNextRequest()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var orders = await owner.Client.CreateApiAsync("orders");
        var billing = await owner.Client.CreateApiAsync("billing");
        var key = await owner.Client.CreateKeyAsync(new { name = "moving", scopes = new[] { "orders:read" }, apiIds = new[] { orders.Id } });
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().SendAsync(Check(orders.Id, key.Token))).StatusCode);

        await (await owner.Client.PatchAsJsonAsync($"/api/v1/keys/{key.Key.Id}", new { apiIds = new[] { billing.Id } })).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        var before = await app.CreateClient().SendAsync(Check(orders.Id, key.Token));
        var now = await app.CreateClient().SendAsync(Check(billing.Id, key.Token));
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/keys/{key.Key.Id}", new { apiIds = Array.Empty<string>() })).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        var all = await app.CreateClient().SendAsync(Check(orders.Id, key.Token));

        Assert.Equal(ReasonCodes.ApiNotAllowed, before.Headers.GetValues("X-Auth-Code").Single());
        Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
    }

    private static HttpRequestMessage Check(string apiId, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/auth/check/{apiId}?scope=orders:read");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task AssertOnlyManagementKeyAsync(TestUser user)
    {
        await using var scope = app.Scope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys.CountAsync(k => k.OwnerId == user.User.Id));
    }
}

public sealed class SqliteKeysApiApiLimitsTests(SqliteApp app) : KeysApiApiLimitsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysApiApiLimitsTests(PostgreSqlApp app) : KeysApiApiLimitsTests(app), IClassFixture<PostgreSqlApp>;
