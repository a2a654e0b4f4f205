using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Organizations;
using Portal.Core.Usage;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Usage;

/// <summary>During a rotation's grace period the key page lists the clients that still send the old token.</summary>
public abstract class RotationTelemetryTests(DoorApp app)
{
    [Fact]
    public async Task RetiringTokensAsync_OldTokenStillUsed_ListsItsClientsOnly()
    {
        var owner = await app.NewUserAsync();
        var old = await app.CreateKeyAsync(owner, ["orders:read"]);
        await CheckAsync(owner, old.Token, "203.0.113.1", "before-rotation/1.0");
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var fresh = await app.RotateAsync(owner, old.Key.Id, TimeSpan.FromDays(1));
        await CheckAsync(owner, old.Token, "203.0.113.7", "legacy-batch/2.0");
        await CheckAsync(owner, old.Token, "203.0.113.7", "legacy-batch/2.0");
        await CheckAsync(owner, old.Token, "203.0.113.8", "cron/1.1");
        await CheckAsync(owner, fresh.Token, "203.0.113.9", "migrated/3.0");
        await app.LogSentinelAsync();

        var tokens = await RetiringAsync(owner.Caller(), owner.OrganizationId, old.Key.Id);

        var token = Assert.Single(tokens!);
        Assert.Equal(old.Key.Hint, token.Hint);
        Assert.Equal(
            [("203.0.113.7", "legacy-batch/2.0", 2L), ("203.0.113.8", "cron/1.1", 1L)],
            token.Clients.Select(c => (c.ClientIp, c.UserAgent, c.Requests)).OrderBy(c => c.ClientIp));
        Assert.All(token.Clients, c => Assert.True(c.LastSeen >= token.RotatedAt));
    }

    [Fact]
    public async Task RetiringTokensAsync_NoRotation_IsEmpty_AndOthersSeeNothing()
    {
        var owner = await app.NewUserAsync();
        var stranger = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"]);

        Assert.Empty((await RetiringAsync(owner.Caller(), owner.OrganizationId, key.Key.Id))!);
        Assert.Null(await RetiringAsync(stranger.Caller(), owner.OrganizationId, key.Key.Id));
        Assert.Null(await RetiringAsync(stranger.Caller(), stranger.OrganizationId, key.Key.Id));
    }

    [Fact]
    public async Task RetiringTokensAsync_MoreRotationsInGraceThanTheCap_ShowsTheLatestOnly()
    {
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"]);
        var hints = new List<string> { key.Key.Hint };
        for (var i = 0; i < RotationTelemetry.MaxRetiringTokens + 2; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            hints.Add((await app.RotateAsync(owner, key.Key.Id, TimeSpan.FromDays(1))).Key.Hint);
        }

        var tokens = await RetiringAsync(owner.Caller(), owner.OrganizationId, key.Key.Id);

        // Every token but the current one is in its grace; the latest rotations' are shown, oldest first.
        Assert.Equal(hints[^(RotationTelemetry.MaxRetiringTokens + 1)..^1], tokens!.Select(t => t.Hint));
        Assert.All(tokens!, t => Assert.False(t.Partial));
    }

    private async Task CheckAsync(TestUser owner, string token, string clientIp, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(token);
        request.Headers.Add(DoorApp.PeerHeader, clientIp);
        request.Headers.UserAgent.ParseAdd(userAgent);
        using var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<IReadOnlyList<RetiringToken>?> RetiringAsync(Caller caller, Guid organizationId, Guid keyId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<RotationTelemetry>().RetiringTokensAsync(caller, organizationId, keyId);
    }
}

public sealed class SqliteRotationTelemetryTests(SqliteDoorApp app) : RotationTelemetryTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlRotationTelemetryTests(PostgreSqlDoorApp app) : RotationTelemetryTests(app), IClassFixture<PostgreSqlDoorApp>;
