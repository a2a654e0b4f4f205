using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// The client address the check door records: <c>X-Forwarded-For</c> is believed only from a
/// configured trusted proxy (here <see cref="DoorApp.TrustedProxies"/>), and only the part our
/// proxies appended.
/// </summary>
public abstract class CheckEndpointForwardingTests(DoorApp app)
{
    [Fact]
    public async Task Check_ForwardedForFromUntrustedPeer_RecordsThePeer()
    {
        var ip = await RecordedClientIpAsync(peer: DoorApp.DefaultPeer, forwardedFor: "203.0.113.9");

        Assert.Equal(DoorApp.DefaultPeer, ip);
    }

    [Fact]
    public async Task Check_ForwardedForFromTrustedProxy_RecordsTheClient()
    {
        var ip = await RecordedClientIpAsync(peer: "10.0.0.5", forwardedFor: "203.0.113.9");

        Assert.Equal("203.0.113.9", ip);
    }

    [Fact]
    public async Task Check_SpoofedHopPrependedByClient_IsIgnored()
    {
        // The client sent "X-Forwarded-For: 6.6.6.6"; our proxies appended the real client and themselves.
        var ip = await RecordedClientIpAsync(peer: "10.0.0.5", forwardedFor: "6.6.6.6, 203.0.113.9, 10.1.1.1");

        Assert.Equal("203.0.113.9", ip);
    }

    [Fact]
    public async Task Check_TrustedProxyWithoutForwardedFor_RecordsTheProxy()
    {
        var ip = await RecordedClientIpAsync(peer: "10.0.0.5", forwardedFor: null);

        Assert.Equal("10.0.0.5", ip);
    }

    [Fact]
    public async Task Check_ForwardedForGarbage_StopsAtTheGarbage()
    {
        var ip = await RecordedClientIpAsync(peer: "10.0.0.5", forwardedFor: "203.0.113.9, not-an-ip");

        Assert.Equal("10.0.0.5", ip);
    }

    [Fact]
    public async Task Check_IPv4MappedTrustedPeer_IsTrusted()
    {
        var ip = await RecordedClientIpAsync(peer: "::ffff:10.0.0.5", forwardedFor: "2001:db8::7");

        Assert.Equal("2001:db8::7", ip);
    }

    [Fact]
    public async Task Check_ForwardedClientFromTrustedProxy_BecomesLastUsedIp()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check?scope=orders:read")
            .WithBearer(issued.Token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5")
            .WithRawHeader("X-Forwarded-For", "203.0.113.77");

        using var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.FlushedUsageAsync(issued.Key.Id, atLeast: 1);

        await using var scope = app.Scope();
        var key = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys.SingleAsync(k => k.Id == issued.Key.Id);
        Assert.Equal("203.0.113.77", key.LastUsedIp);
    }

    private async Task<string?> RecordedClientIpAsync(string peer, string? forwardedFor)
    {
        var path = $"/forwarded/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/check")
            .WithBearer(DoorTestKit.UnknownToken())
            .WithRawHeader("X-Original-URI", path)
            .WithRawHeader(DoorApp.PeerHeader, peer);
        if (forwardedFor is not null)
        {
            request.WithRawHeader("X-Forwarded-For", forwardedFor);
        }

        using var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        return Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path == path))).ClientIp;
    }
}

public sealed class SqliteCheckEndpointForwardingTests(SqliteDoorApp app) : CheckEndpointForwardingTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlCheckEndpointForwardingTests(PostgreSqlDoorApp app) : CheckEndpointForwardingTests(app), IClassFixture<PostgreSqlDoorApp>;
