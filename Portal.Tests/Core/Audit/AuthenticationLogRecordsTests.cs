using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>
/// What each door writes to the authentication log: door, code, method, path, client address,
/// user agent and the key's hint, through the bounded buffer and the batched writer. Never the token.
/// </summary>
public abstract class AuthenticationLogRecordsTests(DoorApp app)
{
    private const string TrustedProxy = "10.0.0.5";

    [Fact]
    public async Task Check_WithOriginalMethodAndUri_RecordsTheGatewaysRequest()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var path = $"/orders/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read"))
            .WithBearer(issued.Token)
            .WithRawHeader(DoorApp.PeerHeader, TrustedProxy)
            .WithRawHeader("X-Forwarded-For", "203.0.113.40")
            .WithRawHeader("X-Original-Method", "DELETE")
            .WithRawHeader("X-Original-URI", path + "?expand=items&token=secret")
            .WithRawHeader("User-Agent", "nginx-test/1.27");

        using var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The canonical path only: the query string is the client's and is never stored.
        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path?.StartsWith(path, StringComparison.Ordinal) == true)));
        Assert.Equal(path, record.Path);
        Assert.Equal(Doors.Check, record.Door);
        Assert.Equal("VALID", record.Code);
        Assert.Equal("DELETE", record.Method);
        Assert.Equal("203.0.113.40", record.ClientIp);
        Assert.Equal("nginx-test/1.27", record.UserAgent);
        Assert.Equal(issued.Key.Hint, record.KeyHint);
        Assert.Equal(issued.Key.Id, record.KeyId);
        Assert.Equal(owner.User.Id, record.OwnerId);
        Assert.Equal(owner.OrganizationId, record.OrganizationId);
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), record.OccurredAt.ToUnixTimeMilliseconds());
        Assert.True(record.LatencyMicroseconds >= 0);
    }

    [Fact]
    public async Task Check_WithForwardedMethodAndUri_RecordsTheGatewaysRequest()
    {
        // Traefik's ForwardAuth names the original request this way.
        var uri = $"/traefik/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(await app.NewUserAsync()))
            .WithBearer(DoorTestKit.UnknownToken())
            .WithRawHeader(DoorApp.PeerHeader, TrustedProxy)
            .WithRawHeader("X-Forwarded-Method", "PATCH")
            .WithRawHeader("X-Forwarded-Uri", uri);

        using var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path == uri)));
        Assert.Equal("PATCH", record.Method);
        Assert.Equal("NOT_FOUND", record.Code);
        Assert.Null(record.KeyId);
        Assert.NotNull(record.KeyHint);
    }

    [Fact]
    public async Task ExtAuthz_RecordsOwnMethodAndTheClientsCanonicalPath()
    {
        // Envoy's ext_authz appends the original path to the check URL and keeps the method.
        var id = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Put, await app.ExtAuthzUrlAsync(await app.NewUserAsync(), $"/%6Frders/{id}?page=2")).WithBearer(DoorTestKit.UnknownToken());

        using var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path?.Contains(id, StringComparison.Ordinal) == true)));
        Assert.Equal($"/orders/{id}", record.Path);
        Assert.Equal("PUT", record.Method);
        Assert.Equal(Doors.ExtAuthz, record.Door);
    }

    [Fact]
    public async Task Check_MalformedToken_RecordsNoHint()
    {
        var uri = $"/malformed/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(await app.NewUserAsync()))
            .WithRawHeader("X-Api-Key", DoorTestKit.WithBadChecksum(DoorTestKit.UnknownToken()))
            .WithRawHeader(DoorApp.PeerHeader, TrustedProxy)
            .WithRawHeader("X-Original-URI", uri);

        using var response = await app.AnonymousClient().SendAsync(request);

        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path == uri)));
        Assert.Equal("MALFORMED", record.Code);
        Assert.Null(record.KeyHint);
        Assert.Null(record.KeyId);
    }

    [Fact]
    public async Task Verify_RecordsTheAppsRequestFromTheBody()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(caller, ["orders:read"]);
        var path = $"/orders/{Guid.NewGuid():N}";

        using var response = await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, scope = "orders:write", method = "PUT", path, clientIp = "203.0.113.5" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.Path == path)));
        Assert.Equal(Doors.Verify, record.Door);
        Assert.Equal("INSUFFICIENT_SCOPE", record.Code);
        Assert.Equal("PUT", record.Method);
        Assert.Equal("203.0.113.5", record.ClientIp);
        Assert.Equal(issued.Key.Hint, record.KeyHint);
        Assert.Equal(issued.Key.Id, record.KeyId);
    }

    [Fact]
    public async Task Api_RecordsTheRequestsOwnMethodAndPath()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["keys:manage"]);

        using var response = await app.ClientWith(issued.Token).GetAsync($"/api/v1/keys/{issued.Key.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.KeyId == issued.Key.Id)));
        Assert.Equal(Doors.Api, record.Door);
        Assert.Equal("VALID", record.Code);
        Assert.Equal("GET", record.Method);
        Assert.Equal($"/api/v1/keys/{issued.Key.Id}", record.Path);
        Assert.Equal(DoorApp.DefaultPeer, record.ClientIp);
        Assert.Equal(issued.Key.Hint, record.KeyHint);
    }

    [Fact]
    public async Task Api_TwoKeysInOneRequest_RecordsMalformedWithoutHint()
    {
        var owner = await app.NewUserAsync();
        var agent = $"two-keys/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys")
            .WithBearer(owner.ManageToken)
            .WithRawHeader("X-Api-Key", owner.ManageToken)
            .WithRawHeader("User-Agent", agent);

        using var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var record = Assert.Single(await app.WaitForLogAsync(q => q.Where(r => r.UserAgent == agent)));
        Assert.Equal(Doors.Api, record.Door);
        Assert.Equal("MALFORMED", record.Code);
        Assert.Null(record.KeyHint);
    }

    [Fact]
    public async Task AllDoors_NeverStoreOrLogTheToken()
    {
        var caller = await app.NewUserAsync(null, Scope.KeysVerify);
        var valid = await app.CreateKeyAsync(caller, ["orders:read"]);
        var revoked = await app.CreateKeyAsync(caller, ["orders:read"]);
        await app.RevokeAsync(caller, revoked.Key.Id);
        var unknown = DoorTestKit.UnknownToken();
        string[] tokens = [caller.ManageToken, valid.Token, revoked.Token, unknown];
        var anonymous = app.AnonymousClient();
        var checkUrl = await app.CheckUrlAsync(caller, "orders:write");
        var extAuthzUrl = await app.ExtAuthzUrlAsync(caller, "/x");
        var apiId = (await app.ApiAsync(caller)).PublicId;

        foreach (var token in tokens)
        {
            (await caller.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = token, apiId, path = "/p" })).Dispose();
            (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, checkUrl).WithBearer(token))).Dispose();
            (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, extAuthzUrl).WithRawHeader("X-Api-Key", token))).Dispose();
            (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(token))).Dispose();
            (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(token).WithRawHeader("X-Api-Key", token))).Dispose();
        }

        await app.LogSentinelAsync();
        await using var scope = app.Scope();
        var records = await StoredLog.AllAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
        var stored = string.Join("\n", records.Select(r => string.Join("|", r.KeyHint, r.Code, r.Door, r.Method, r.Path, r.ClientIp, r.UserAgent)));
        var logged = string.Join("\n", app.Logs.Lines);
        foreach (var token in tokens)
        {
            // The hint shows 4 + 4 characters of the random part; the 24 in between must appear nowhere.
            var secretMiddle = token[(token.Length - 38 + 4)..^10];
            Assert.DoesNotContain(secretMiddle, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secretMiddle, logged, StringComparison.Ordinal);
        }

        Assert.Contains(records, r => r.KeyHint == valid.Key.Hint && r.Door == Doors.Verify);
        Assert.Contains(records, r => r.KeyHint == revoked.Key.Hint && r.Code == "REVOKED" && r.Door == Doors.Check);
        Assert.Contains(records, r => r.KeyHint == revoked.Key.Hint && r.Code == "REVOKED" && r.Door == Doors.ExtAuthz);
    }
}

public sealed class SqliteAuthenticationLogRecordsTests(SqliteDoorApp app) : AuthenticationLogRecordsTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlAuthenticationLogRecordsTests(PostgreSqlDoorApp app) : AuthenticationLogRecordsTests(app), IClassFixture<PostgreSqlDoorApp>;
