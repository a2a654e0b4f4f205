using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Gateway;

/// <summary>
/// What the gateway door believes of forwarding headers: <c>X-Forwarded-For</c> and the header
/// form's original method and URI (<c>X-Original-*</c>, <c>X-Forwarded-Method</c>/<c>-Uri</c>) only
/// from a configured trusted proxy (here <see cref="DoorApp.TrustedProxies"/>), and of
/// <c>X-Forwarded-For</c> only the part our proxies appended. From any other peer they are ignored.
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
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read"))
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

    [Theory]
    [InlineData("X-Original-Method", "X-Original-URI")]
    [InlineData("X-Forwarded-Method", "X-Forwarded-Uri")]
    public async Task Check_OriginalRequestFromTrustedProxy_IsDecidedAndRecorded(string methodHeader, string uriHeader)
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "POST", "/orders/{id}/refund", "orders:refund");
        var refunder = await app.CreateKeyAsync(owner, ["orders:refund"]);
        var path = $"/orders/{Guid.NewGuid():N}/refund";

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner))
            .WithBearer(refunder.Token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5")
            .WithRawHeader(methodHeader, "POST")
            .WithRawHeader(uriHeader, path + "?reason=damaged"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path == path)));
        Assert.Equal(("POST", "10.0.0.5"), (record.Method, record.ClientIp));
    }

    [Theory]
    [InlineData("X-Original-Method", "X-Original-URI")]
    [InlineData("X-Forwarded-Method", "X-Forwarded-Uri")]
    public async Task Check_OriginalRequestFromUntrustedPeer_IsIgnored(string methodHeader, string uriHeader)
    {
        // A client that reaches the door directly cannot pick the method and path the rules see.
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/public/{**rest}", "public:read");
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["public:read"]);
        var spoofed = $"/public/{Guid.NewGuid():N}";

        HttpRequestMessage Spoofed(string url) => new HttpRequestMessage(HttpMethod.Get, url)
            .WithBearer(issued.Token)
            .WithRawHeader(methodHeader, "DELETE")
            .WithRawHeader(uriHeader, spoofed);

        // Rules must decide and the target is unknown: refused, even though unmatched requests are allowed.
        using var byRules = await app.AnonymousClient().SendAsync(Spoofed(await app.CheckUrlAsync(owner)));
        // The gateway named the scope: decided on the key alone, with the door's own method.
        using var byScope = await app.AnonymousClient().SendAsync(Spoofed(await app.CheckUrlAsync(owner, "public:read")));

        Assert.Equal(HttpStatusCode.Forbidden, byRules.StatusCode);
        Assert.Equal("PATH_NOT_CANONICAL", byRules.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.OK, byScope.StatusCode);
        var records = await app.WaitForLogAsync(q => q.Where(r => r.KeyId == issued.Key.Id), atLeast: 2);
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal((null, "GET", DoorApp.DefaultPeer), (r.Path, r.Method, r.ClientIp)));
    }

    [Theory]
    [InlineData("X-Original-URI", "X-Forwarded-Uri")]
    [InlineData("X-Original-Method", "X-Forwarded-Uri")]
    [InlineData("X-Forwarded-Method", "X-Original-URI")]
    public async Task Check_BothFamiliesFromTrustedProxy_AreRefused(string nginxHeader, string traefikHeader)
    {
        static string Value(string header) => header.EndsWith("Method", StringComparison.Ordinal) ? "GET" : "/orders/1";
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner))
            .WithBearer(issued.Token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5")
            .WithRawHeader(nginxHeader, Value(nginxHeader))
            .WithRawHeader(traefikHeader, Value(traefikHeader)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("PATH_NOT_CANONICAL", response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Check_DuplicatedOriginalUriFromTrustedProxy_IsRefused()
    {
        var owner = await app.NewUserAsync();
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner))
            .WithBearer(issued.Token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5")
            .WithRawHeader("X-Original-URI", "/public/1", "/admin/1"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("PATH_NOT_CANONICAL", response.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task ExtAuthz_OriginalHeadersEvenFromTrustedProxy_AreIgnored()
    {
        // The path form's target is its own request's: no forwarding header names another.
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/public/{id}", "public:read");
        var issued = await app.CreateKeyAsync(owner, ["public:read"]);

        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/public/1"))
            .WithBearer(issued.Token)
            .WithRawHeader(DoorApp.PeerHeader, "10.0.0.5")
            .WithRawHeader("X-Original-Method", "DELETE")
            .WithRawHeader("X-Original-URI", "/admin/1")
            .WithRawHeader("X-Forwarded-Uri", "/admin/2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string?> RecordedClientIpAsync(string peer, string? forwardedFor)
    {
        // The path form names the target whoever the peer is, so the record can be found by it.
        var path = $"/forwarded/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(await app.NewUserAsync(), path))
            .WithBearer(DoorTestKit.UnknownToken())
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
