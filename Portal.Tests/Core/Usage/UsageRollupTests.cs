using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Usage;

/// <summary>
/// Decisions counted in memory per key, minute and reason code, and moved to <c>UsageRollups</c>
/// (with the key's last use) by the batched flush, never by the request.
/// </summary>
public abstract class UsageRollupTests(DoorApp app)
{
    [Fact]
    public async Task Flush_AfterDecisionsAtEveryDoor_WritesCountsPerReasonCode()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read", "keys:manage"]);
        var minute = StartOfMinute(app.Clock.GetUtcNow());

        for (var i = 0; i < 3; i++)
        {
            await CheckAsync(caller, issued.Token, "orders:read", HttpStatusCode.OK);
        }

        await CheckAsync(caller, issued.Token, "orders:write", HttpStatusCode.Forbidden);
        await CheckAsync(caller, issued.Token, "orders:write", HttpStatusCode.Forbidden);
        (await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token })).EnsureSuccessStatusCode();
        (await app.ClientWith(issued.Token).GetAsync("/api/v1/keys")).EnsureSuccessStatusCode();
        await app.RevokeAsync(caller, issued.Key.Id);
        await CheckAsync(caller, issued.Token, "orders:read", HttpStatusCode.Unauthorized);

        var usage = await app.FlushedUsageAsync(issued.Key.Id, atLeast: 8);

        Assert.Equal(new Dictionary<string, long> { ["VALID"] = 5, ["INSUFFICIENT_SCOPE"] = 2, ["REVOKED"] = 1 }, usage);
        await using var scope = app.Scope();
        var rows = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().UsageRollups.AsNoTracking().Where(r => r.KeyId == issued.Key.Id).ToListAsync();
        Assert.All(rows, r => Assert.Equal(minute, r.Minute));
        Assert.All(rows, r => Assert.Equal(caller.OrganizationId, r.OrganizationId));
    }

    [Fact]
    public async Task Flush_DecisionsInTwoMinutes_WritesOneCountPerMinute()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var first = StartOfMinute(app.Clock.GetUtcNow());
        await CheckAsync(owner, issued.Token, "orders:read", HttpStatusCode.OK);
        await CheckAsync(owner, issued.Token, "orders:read", HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await CheckAsync(owner, issued.Token, "orders:read", HttpStatusCode.OK);
        await app.FlushedUsageAsync(issued.Key.Id, atLeast: 3);

        await using var scope = app.Scope();
        var perMinute = (await scope.ServiceProvider.GetRequiredService<PortalDbContext>().UsageRollups.AsNoTracking()
                .Where(r => r.KeyId == issued.Key.Id).ToListAsync())
            .GroupBy(r => r.Minute).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        Assert.Equal(new Dictionary<DateTimeOffset, long> { [first] = 2, [first.AddMinutes(1)] = 1 }, perMinute);
    }

    [Fact]
    public async Task Flush_AfterUse_SetsLastUsedAtAndIp()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var usedAt = app.Clock.GetUtcNow();
        await CheckAsync(owner, issued.Token, "orders:read", HttpStatusCode.OK);

        await app.FlushedUsageAsync(issued.Key.Id, atLeast: 1);

        var key = await owner.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/keys/{issued.Key.Id}");
        Assert.Equal(usedAt.ToUnixTimeMilliseconds(), key.GetProperty("lastUsedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(DoorApp.DefaultPeer, key.GetProperty("lastUsedIp").GetString());
    }

    [Fact]
    public async Task Flush_VerifyWithClientIp_SetsLastUsedIpToTheAppsClient()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);

        (await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = "2001:db8::42" })).EnsureSuccessStatusCode();
        await app.FlushedUsageAsync(issued.Key.Id, atLeast: 1);

        await using var scope = app.Scope();
        var key = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys.AsNoTracking().SingleAsync(k => k.Id == issued.Key.Id);
        Assert.Equal("2001:db8::42", key.LastUsedIp);
    }

    [Fact]
    public async Task Request_BeforeFlush_WritesNothingToTheDatabase()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        await CheckAsync(owner, issued.Token, "orders:read", HttpStatusCode.OK);

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.False(await db.UsageRollups.AnyAsync(r => r.KeyId == issued.Key.Id));
            Assert.Null((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == issued.Key.Id)).LastUsedAt);
        }

        Assert.Equal(new Dictionary<string, long> { ["VALID"] = 1 }, await app.FlushedUsageAsync(issued.Key.Id, atLeast: 1));
    }

    [Fact]
    public async Task Flush_Twice_DoesNotCountTwice()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await CheckAsync(owner, issued.Token, "orders:read", HttpStatusCode.OK);

        await app.FlushedUsageAsync(issued.Key.Id, atLeast: 1);
        var again = await app.FlushedUsageAsync(issued.Key.Id);

        Assert.Equal(new Dictionary<string, long> { ["VALID"] = 1 }, again);
    }

    private async Task CheckAsync(TestUser owner, string token, string scope, HttpStatusCode expected)
    {
        using var response = await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, scope)).WithBearer(token));
        Assert.Equal(expected, response.StatusCode);
    }

    private static DateTimeOffset StartOfMinute(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}

public sealed class SqliteUsageRollupTests(SqliteDoorApp app) : UsageRollupTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlUsageRollupTests(PostgreSqlDoorApp app) : UsageRollupTests(app), IClassFixture<PostgreSqlDoorApp>;
