using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// Request protections at every door: verify (with <c>clientIp</c>), the gateway door's header and
/// path forms (the client address is the peer, <see cref="DoorApp.PeerHeader"/>), and the management
/// API. Each refusal has the same code at every door and the status <see cref="ReasonCodes.StatusOf"/>
/// names; verify answers 200 with the code.
/// </summary>
public abstract class ProtectionDoorTests(DoorApp app)
{
    private const string Inside = "203.0.113.9";
    private const string Outside = "198.51.100.7";

    [Fact]
    public async Task IpAllowlistOnTheKey_EveryDoorRefusesOutsideAndAllowsInside()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("allowlisted", Scopes: [Scope.KeysManage, "orders:read"],
            Protections: new RequestProtections(IpAllowlist: ["203.0.113.0/24", "2001:db8::/32"])));

        var outside = await AskEveryDoorAsync(owner, issued.Token, Outside);
        var inside = await AskEveryDoorAsync(owner, issued.Token, Inside);
        var insideV6 = await AskEveryDoorAsync(owner, issued.Token, "2001:db8::17");

        Assert.Equal([(Doors.Verify, 200, "IP_NOT_ALLOWED"), (Doors.Check, 403, "IP_NOT_ALLOWED"), (Doors.ExtAuthz, 403, "IP_NOT_ALLOWED"), (Doors.Api, 403, "IP_NOT_ALLOWED")], outside);
        Assert.All(inside.Concat(insideV6), a => Assert.Equal((200, "VALID"), (a.Status, a.Code)));
    }

    [Fact]
    public async Task CountryRulesWithoutACountryDatabase_FailClosedAtEveryDoor()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("germany only", Scopes: [Scope.KeysManage, "orders:read"],
            Protections: new RequestProtections(Countries: new CountryRules(Allow: ["DE"]))));

        var answers = await AskEveryDoorAsync(owner, issued.Token, Inside);

        Assert.Equal([(Doors.Verify, 200, "GEO_UNAVAILABLE"), (Doors.Check, 403, "GEO_UNAVAILABLE"), (Doors.ExtAuthz, 403, "GEO_UNAVAILABLE"), (Doors.Api, 403, "GEO_UNAVAILABLE")], answers);
    }

    [Fact]
    public async Task VerifyWithoutClientIp_AnAllowlistRefuses()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("allowlisted", Scopes: ["orders:read"], Protections: new RequestProtections(IpAllowlist: ["203.0.113.0/24"])));

        using var response = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token });

        Assert.Equal("IP_NOT_ALLOWED", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task OrganizationDenyList_RefusesAnOtherwiseValidKeyAtEveryDoor()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var issued = await app.CreateKeyAsync(owner, [Scope.KeysManage, "orders:read"]);
        // Not the test host's own peer (198.51.100.20), from which the app calls verify with its key.
        await SetPolicyAsync(owner, new PolicySettings(DeniedNetworks: ["198.51.100.0/28"]));

        var denied = await AskEveryDoorAsync(owner, issued.Token, Outside);
        var other = await AskEveryDoorAsync(owner, issued.Token, Inside);

        Assert.All(denied, a => Assert.Equal("IP_NOT_ALLOWED", a.Code));
        Assert.Equal([(Doors.Verify, 200, "VALID"), (Doors.Check, 200, "VALID"), (Doors.ExtAuthz, 200, "VALID"), (Doors.Api, 200, "VALID")], other);
    }

    [Fact]
    public async Task RequiredAllowlistOnLiveKeys_RefusesALiveKeyWithoutOne()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var live = await app.CreateKeyAsync(owner, new CreateKeyCommand("live", Environment: KeyEnvironment.Live, Scopes: ["orders:read"]));
        await SetPolicyAsync(owner, new PolicySettings(RequireIpAllowlistOnLiveKeys: true));

        using var response = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = live.Token, clientIp = Inside });
        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => app.CreateKeyAsync(owner, new CreateKeyCommand("live 2", Environment: KeyEnvironment.Live, Scopes: ["orders:read"])));

        Assert.Equal("IP_NOT_ALLOWED", (await response.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.Contains("ipAllowlist", refused.Errors.Keys);
    }

    [Fact]
    public async Task ApiAllowlist_AppliesToEveryKeyAtThatApi()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var api = await app.ApiAsync(owner);
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await UpdateApiAsync(owner, new ProtectionChanges(IpAllowlist: ["203.0.113.0/24"]));

        using var outside = await CheckAsync(owner, issued.Token, Outside);
        using var inside = await CheckAsync(owner, issued.Token, Inside);
        using var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, apiId = api.PublicId, clientIp = Outside });

        Assert.Equal((HttpStatusCode.Forbidden, "IP_NOT_ALLOWED"), (outside.StatusCode, outside.Header("X-Auth-Code")));
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal("IP_NOT_ALLOWED", (await verify.ReadJsonAsync()).GetProperty("code").GetString());
        await UpdateApiAsync(owner, new ProtectionChanges(IpAllowlist: []));
    }

    [Fact]
    public async Task RateLimit_HeaderForm_429WithRetryAfterAndRateLimitFields_AndNginxSwitchGives403()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("limited", Scopes: ["orders:read"],
            Protections: new RequestProtections(RateLimits: [new RateLimitRule("hourly", 2, 3600)])));

        using var first = await CheckAsync(owner, issued.Token, Inside);
        using var second = await CheckAsync(owner, issued.Token, Inside);
        using var third = await CheckAsync(owner, issued.Token, Inside);
        using var nginx = await CheckAsync(owner, issued.Token, Inside, "&limits=403");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.StatusCode, second.StatusCode });
        Assert.Null(first.Header("RateLimit-Policy"));
        Assert.Equal("\"hourly\";q=2;w=3600", third.Header("RateLimit-Policy"));
        Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMITED"), (third.StatusCode, third.Header("X-Auth-Code")));
        Assert.True(int.Parse(third.Header("Retry-After")!) is > 0 and <= 3600);
        Assert.StartsWith("\"hourly\";r=0;t=", third.Header("RateLimit"));
        Assert.Equal((HttpStatusCode.Forbidden, "RATE_LIMITED"), (nginx.StatusCode, nginx.Header("X-Auth-Code")));
        Assert.NotNull(nginx.Header("Retry-After"));
    }

    [Fact]
    public async Task RateLimit_PathFormVerifyAndManagementApi_AnswerLimitsAlike()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AllowUnmatchedAsync(owner);
        var protections = new RequestProtections(RateLimits: [new RateLimitRule("hourly", 1, 3600)]);
        var forExtAuthz = await app.CreateKeyAsync(owner, new CreateKeyCommand("envoy", Scopes: ["orders:read"], Protections: protections));
        var forVerify = await app.CreateKeyAsync(owner, new CreateKeyCommand("app", Scopes: ["orders:read"], Protections: protections));
        var forApi = await app.CreateKeyAsync(owner, new CreateKeyCommand("automation", Scopes: [Scope.KeysManage], Protections: protections));
        var client = app.AnonymousClient();
        var target = await app.ExtAuthzUrlAsync(owner, "/orders/1");

        using var envoyFirst = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, target).WithBearer(forExtAuthz.Token));
        using var envoySecond = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, target).WithBearer(forExtAuthz.Token));
        using var verifyFirst = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = forVerify.Token, clientIp = Inside });
        using var verifySecond = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = forVerify.Token, clientIp = Inside });
        using var apiFirst = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(forApi.Token));
        using var apiSecond = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(forApi.Token));

        Assert.Equal(HttpStatusCode.OK, envoyFirst.StatusCode);
        Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMITED"), (envoySecond.StatusCode, envoySecond.Header("X-Auth-Code")));
        Assert.NotNull(envoySecond.Header("Retry-After"));
        var firstBody = await verifyFirst.ReadJsonAsync();
        var secondBody = await verifySecond.ReadJsonAsync();
        Assert.Equal("VALID", firstBody.GetProperty("code").GetString());
        Assert.Equal(0, firstBody.GetProperty("limits")[0].GetProperty("remaining").GetInt64());
        Assert.Equal((HttpStatusCode.OK, "RATE_LIMITED"), (verifySecond.StatusCode, secondBody.GetProperty("code").GetString()));
        Assert.True(secondBody.GetProperty("retryAfterSeconds").GetInt64() > 0);
        Assert.Equal(HttpStatusCode.OK, apiFirst.StatusCode);
        Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMITED"), (apiSecond.StatusCode, (await apiSecond.ReadJsonAsync()).GetProperty("code").GetString()));
        Assert.NotNull(apiSecond.Header("Retry-After"));
    }

    [Fact]
    public async Task Quota_TakesTheRuleCost_RefusedRequestsTakeNothing()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var api = await app.ApiAsync(owner);
        await using (var scope = app.Scope())
        {
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<Portal.Core.Apis.ApiCatalog>().AddRuleAsync(owner.Caller(), api.Id, "POST", "/reports", "reports:write", cost: 3));
        }

        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("credits", Scopes: ["reports:write"],
            Protections: new RequestProtections(IpAllowlist: ["203.0.113.0/24"], Quota: new QuotaRule(7))));
        var client = app.AnonymousClient();
        async Task<HttpResponseMessage> PostReportAsync(string peer) =>
            await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, await app.ExtAuthzUrlAsync(owner, "/reports")).WithBearer(issued.Token).WithRawHeader(DoorApp.PeerHeader, peer));

        using var refusedByAddress = await PostReportAsync(Outside);
        using var first = await PostReportAsync(Inside);
        using var second = await PostReportAsync(Inside);
        using var third = await PostReportAsync(Inside);
        using var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = Inside });

        Assert.Equal("IP_NOT_ALLOWED", refusedByAddress.Header("X-Auth-Code"));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.StatusCode, second.StatusCode });
        Assert.Equal((HttpStatusCode.TooManyRequests, "QUOTA_EXCEEDED"), (third.StatusCode, third.Header("X-Auth-Code")));
        // 7 − 3 − 3 = 1 credit left: the refused requests took nothing, verify's own request (cost 1) takes the last.
        var body = await verify.ReadJsonAsync();
        Assert.Equal("VALID", body.GetProperty("code").GetString());
        Assert.Contains(body.GetProperty("limits").EnumerateArray(), l => l.GetProperty("isQuota").GetBoolean() && l.GetProperty("remaining").GetInt64() == 0);
    }

    [Fact]
    public async Task BurstOfUnknownTokensFromOneAddress_BlocksIt_AnotherAddressStillPasses()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AllowUnmatchedAsync(owner);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await SetPolicyAsync(owner, new PolicySettings(Threats: new ThreatPolicy(FailureLimit: 10, StuffingLimit: 5, WindowSeconds: 60, BlockSeconds: 120)));
        const string attacker = "192.0.2.66";

        for (var i = 0; i < 8; i++)
        {
            using var garbage = await CheckAsync(owner, DoorTestKit.UnknownToken(), attacker);
        }

        using var blocked = await CheckAsync(owner, issued.Token, attacker);
        using var bystander = await CheckAsync(owner, issued.Token, Inside);
        using var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = attacker });

        Assert.Equal((HttpStatusCode.Forbidden, "BLOCKED"), (blocked.StatusCode, blocked.Header("X-Auth-Code")));
        Assert.Equal(HttpStatusCode.OK, bystander.StatusCode);
        Assert.Equal("BLOCKED", (await verify.ReadJsonAsync()).GetProperty("code").GetString());

        // Whatever the blocked address sends instead of a key, it is BLOCKED (never read, never a 500).
        using var shortToken = await CheckAsync(owner, "abc", attacker);
        using var noToken = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithRawHeader(DoorApp.PeerHeader, attacker));
        using var verifyGarbage = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = "x", clientIp = attacker });
        Assert.Equal((HttpStatusCode.Forbidden, "BLOCKED"), (shortToken.StatusCode, shortToken.Header("X-Auth-Code")));
        Assert.Equal((HttpStatusCode.Forbidden, "BLOCKED"), (noToken.StatusCode, noToken.Header("X-Auth-Code")));
        Assert.Equal("BLOCKED", (await verifyGarbage.ReadJsonAsync()).GetProperty("code").GetString());

        app.Clock.Advance(TimeSpan.FromSeconds(121));
        using var afterBlock = await CheckAsync(owner, issued.Token, attacker);
        Assert.Equal(HttpStatusCode.OK, afterBlock.StatusCode);
    }

    [Fact]
    public async Task FloodOfDistinctGarbageTokens_BlockedAfterTheStuffingLimit_NoLookupsAfterwards_FoldedInTheLog()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var threats = ThreatPolicy.Default;
        const string flooder = "192.0.2.77";
        var factory = app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        long lookups = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This app's own meter only: other test hosts run in the same process.
            if (instrument.Name == "portal.validation.key_lookups" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref lookups, value));
        listener.Start();

        var codes = new Dictionary<string, int>();
        for (var i = 0; i < 500; i++)
        {
            using var garbage = await CheckAsync(owner, DoorTestKit.UnknownToken(), flooder);
            var code = garbage.Header("X-Auth-Code")!;
            codes[code] = codes.GetValueOrDefault(code) + 1;
        }

        var records = await app.WaitForLogAsync(q => q.Where(r => r.ClientIp == flooder), atLeast: 2);

        Assert.Equal(threats.StuffingLimit, codes["NOT_FOUND"]);
        Assert.Equal(500 - threats.StuffingLimit, codes["BLOCKED"]);
        Assert.InRange(Interlocked.Read(ref lookups), 1, threats.StuffingLimit);
        // One record per code and minute for this address, each with its count; never one per request.
        Assert.InRange(records.Count, 2, 4);
        Assert.Equal(500, records.Sum(r => r.Count));
    }

    [Fact]
    public async Task KeyUsedFromManyAddresses_IsSuspendedUnderThePolicy_UntilAnAdminLiftsIt()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await SetPolicyAsync(owner, new PolicySettings(Threats: new ThreatPolicy(LeakAddressLimit: 3, LeakWindowSeconds: 600, SuspendSuspiciousKeys: true)));

        foreach (var address in new[] { "203.0.113.1", "203.0.113.2", "203.0.113.3" })
        {
            using var use = await CheckAsync(owner, issued.Token, address);
            Assert.Equal(HttpStatusCode.OK, use.StatusCode);
        }

        // The suspension is written by the background responder: asked until it lands, for a bounded time.
        string? code = null;
        for (var attempt = 0; attempt < 100 && code != "SUSPENDED"; attempt++)
        {
            await Task.Delay(100);
            using var probe = await CheckAsync(owner, issued.Token, "203.0.113.1");
            code = probe.Header("X-Auth-Code");
        }

        using var lifted = await owner.Client.PostAsync($"/api/v1/keys/{issued.Key.Id}/lift-suspension", null);
        using var again = await owner.Client.PostAsync($"/api/v1/keys/{issued.Key.Id}/lift-suspension", null);
        using var after = await CheckAsync(owner, issued.Token, "203.0.113.1");

        Assert.Equal("SUSPENDED", code);
        Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task StuffingAtTheManagementApi_BlocksTheAddressThere()
    {
        var owner = await app.NewUserAsync();
        const string stuffer = "192.0.2.91";
        var client = app.AnonymousClient();
        for (var i = 0; i < ThreatPolicy.Default.StuffingLimit; i++)
        {
            using var garbage = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(DoorTestKit.UnknownToken()).WithRawHeader(DoorApp.PeerHeader, stuffer));
            Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        }

        using var blocked = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(owner.ManageToken).WithRawHeader(DoorApp.PeerHeader, stuffer));
        using var elsewhere = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(owner.ManageToken).WithRawHeader(DoorApp.PeerHeader, Inside));

        Assert.Equal((HttpStatusCode.Forbidden, "BLOCKED"), (blocked.StatusCode, (await blocked.ReadJsonAsync()).GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task VerifyByAnotherOrganization_ChargesNothingToTheKey()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var stranger = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("one credit", Scopes: ["orders:read"], Protections: new RequestProtections(Quota: new QuotaRule(1))));

        var strangers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var foreign = await stranger.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = Inside });
            strangers.Add((await foreign.ReadJsonAsync()).GetProperty("code").GetString()!);
        }

        using var own = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = Inside });

        Assert.All(strangers, c => Assert.Equal("NOT_FOUND", c));
        Assert.Equal("VALID", (await own.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task KeyWithLimits_CreatesNoKeys_AndADenyListCannotLockTheOrganizationOut()
    {
        var owner = await app.NewUserAsync();
        var limited = await app.CreateKeyAsync(owner, new CreateKeyCommand("limited automation", Scopes: [Scope.KeysManage, "orders:read"],
            Protections: new RequestProtections(RateLimits: [new RateLimitRule("hourly", 100, 3600)])));
        using var minted = await app.ClientWith(limited.Token).PostAsJsonAsync("/api/v1/keys", new { name = "fresh budget", scopes = new[] { "orders:read" } });
        var everything = await Assert.ThrowsAsync<Portal.Core.InvalidRequestException>(() => SetPolicyAsync(owner, new PolicySettings(DeniedNetworks: ["0.0.0.0/0"])));
        var self = await Assert.ThrowsAsync<Portal.Core.InvalidRequestException>(() => SetPolicyAsync(owner, new PolicySettings(DeniedNetworks: ["127.0.0.0/8"])));

        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);
        Assert.Contains("rate limits or a quota", await minted.Content.ReadAsStringAsync());
        Assert.Contains("deniedNetworks", everything.Errors.Keys);
        Assert.Contains("your own address", self.Errors["deniedNetworks"][0]);
    }

    [Fact]
    public async Task ProtectionsThroughTheApi_NormalisedAndBadFieldsNamed()
    {
        var owner = await app.NewUserAsync();
        using var created = await owner.Client.PostAsJsonAsync("/api/v1/keys", new
        {
            name = "from automation",
            scopes = new[] { "orders:read" },
            ipAllowlist = new[] { "203.0.113.5/24", "2001:DB8::/32" },
            countries = new { allow = new[] { "de", "FR" } },
            rateLimits = new[] { new { name = "burst", limit = 20, periodSeconds = 1 } },
            quota = new { remaining = 100, refill = new { amount = 100, period = "month" } },
        });
        var key = (await created.ReadJsonAsync()).GetProperty("key");
        using var bad = await owner.Client.PostAsJsonAsync("/api/v1/keys", new
        {
            name = "bad",
            scopes = new[] { "orders:read" },
            ipAllowlist = new[] { "10.0.0.0/8", "10.1.0.0/16" },
            countries = new { deny = new[] { "ZZ" } },
            rateLimits = new[] { new { name = "burst", limit = 0, periodSeconds = 1 } },
            quota = new { remaining = 10, refill = new { amount = 10 } },
        });
        var errors = (await bad.ReadJsonAsync()).GetProperty("errors");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["203.0.113.0/24", "2001:db8::/32"], key.GetProperty("ipAllowlist").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["DE", "FR"], key.GetProperty("countries").GetProperty("allow").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("month", key.GetProperty("quota").GetProperty("refill").GetProperty("period").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        foreach (var field in new[] { "ipAllowlist[1]", "countries.deny[0]", "rateLimits[0].limit", "quota.refill.period" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no message for {field}: {errors}");
        }

        await using var scope = app.Scope();
        Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<KeyCatalog>().ListAsync(owner.Caller(), new KeyQuery(owner.OrganizationId)) is { } page ? page.Items : [], k => k.Name == "bad");
    }

    private async Task SetPolicyAsync(TestUser owner, PolicySettings settings)
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<OrganizationPolicies>().UpdateAsync(owner.Caller(), owner.OrganizationId, settings);
    }

    private async Task UpdateApiAsync(TestUser owner, ProtectionChanges changes)
    {
        var api = await app.ApiAsync(owner);
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<Portal.Core.Apis.ApiCatalog>().UpdateAsync(owner.Caller(), api.Id, new Portal.Core.Apis.ApiChanges(Protections: changes));
    }

    // The header form from a client that is no trusted proxy: no forwarded target, so the check URL names the scope.
    private async Task<HttpResponseMessage> CheckAsync(TestUser owner, string token, string peer, string query = "") =>
        await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read") + query).WithBearer(token).WithRawHeader(DoorApp.PeerHeader, peer));

    // Each door's answer as (door, HTTP status, reason code), the client at `address`.
    private async Task<List<(string Door, int Status, string Code)>> AskEveryDoorAsync(TestUser owner, string token, string address)
    {
        var client = app.AnonymousClient();
        var answers = new List<(string, int, string)>();
        using (var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = token, scope = "orders:read", clientIp = address }))
        {
            answers.Add((Doors.Verify, (int)verify.StatusCode, (await verify.ReadJsonAsync()).GetProperty("code").GetString()!));
        }

        using (var check = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(token).WithRawHeader(DoorApp.PeerHeader, address)))
        {
            answers.Add((Doors.Check, (int)check.StatusCode, check.Header("X-Auth-Code")!));
        }

        using (var extAuthz = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/42")).WithBearer(token).WithRawHeader(DoorApp.PeerHeader, address)))
        {
            answers.Add((Doors.ExtAuthz, (int)extAuthz.StatusCode, extAuthz.Header("X-Auth-Code")!));
        }

        using (var management = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys").WithBearer(token).WithRawHeader(DoorApp.PeerHeader, address)))
        {
            var code = management.StatusCode == HttpStatusCode.OK ? ReasonCodes.Valid : (await management.ReadJsonAsync()).GetProperty("code").GetString()!;
            answers.Add((Doors.Api, (int)management.StatusCode, code));
        }

        return answers;
    }
}

public sealed class SqliteProtectionDoorTests(SqliteDoorApp app) : ProtectionDoorTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlProtectionDoorTests(PostgreSqlDoorApp app) : ProtectionDoorTests(app), IClassFixture<PostgreSqlDoorApp>;
