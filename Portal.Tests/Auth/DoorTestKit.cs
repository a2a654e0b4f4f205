using Portal.Tests.Core.Audit;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Validation;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>Tokens that must never pass a door, and helpers to make and change keys behind the doors' backs.</summary>
public static class DoorTestKit
{
    // Organization ids are unique across every test database, so one map serves every fixture.
    private static readonly ConcurrentDictionary<Guid, ProtectedApi> TestApis = new();
    private static readonly ConditionalWeakTable<PortalApp, Task<TestUser>> Sentinels = new();

    public const string UnicodeToken = "pk_test_ÄÖÜßéçñ€漢字🔑abcdefghijklmnopqrstuvwxyz";

    /// <summary>A well-formed token (right shape and checksum) that no key has.</summary>
    public static string UnknownToken() => ApiKeyToken.Generate("pk_test");

    /// <summary>The same token with its last checksum character changed.</summary>
    public static string WithBadChecksum(string token) => token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

    /// <summary>A genuine token with control characters (bell, escape, NUL) in its random part.</summary>
    public static string WithControlCharacters(string token) => token[..10] + "\u0007\u001b\u0000" + token[13..];

    public static string TenKilobyteToken() => "pk_test_" + new string('A', 10 * 1024);

    /// <summary>Inputs the validator must call MALFORMED without a lookup, by name for readable test output.</summary>
    public static TheoryData<string> MalformedTokenNames() =>
        ["garbage", "bad checksum", "unicode", "control characters", "10 KB", "whitespace only", "prefix only"];

    /// <summary>
    /// The malformed tokens a header can carry: all but "whitespace only", which a server reads as an
    /// empty header (HTTP strips a field value's surrounding whitespace), so no credential: <c>MISSING</c>.
    /// </summary>
    public static TheoryData<string> MalformedHeaderTokenNames() =>
        ["garbage", "bad checksum", "unicode", "control characters", "10 KB", "prefix only"];

    public static string MalformedToken(string name) => name switch
    {
        "garbage" => "not a key at all",
        "bad checksum" => WithBadChecksum(UnknownToken()),
        "unicode" => UnicodeToken,
        "control characters" => WithControlCharacters(UnknownToken()),
        "10 KB" => TenKilobyteToken(),
        "whitespace only" => "   ",
        "prefix only" => "pk_test_",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static async Task<IssuedKey> CreateKeyAsync(this PortalApp app, TestUser owner, string[] scopes, DateTimeOffset? expiresAt = null)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            owner.Caller(), new CreateKeyCommand($"key {Guid.NewGuid():N}", Scopes: scopes, ExpiresAt: expiresAt));
    }

    /// <summary>Creates a key in the owner's organization from a full command (grants, schedule, sets).</summary>
    public static async Task<IssuedKey> CreateKeyAsync(this PortalApp app, TestUser owner, CreateKeyCommand command)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(owner.Caller(), command);
    }

    /// <summary>
    /// The API the owner's organization's gateway doors protect in these tests: created on first use,
    /// accepting live and test keys (test keys are the default of <see cref="CreateKeyAsync(PortalApp, TestUser, string[], DateTimeOffset?)"/>).
    /// </summary>
    public static async Task<ProtectedApi> ApiAsync(this PortalApp app, TestUser owner)
    {
        if (TestApis.TryGetValue(owner.OrganizationId, out var known))
        {
            return known;
        }

        await using var scope = app.Scope();
        var api = await scope.ServiceProvider.GetRequiredService<ApiCatalog>().CreateAsync(
            owner.Caller(), owner.OrganizationId, new ApiDraft("test api", Environments: ApiEnvironments.Both));
        return TestApis.GetOrAdd(owner.OrganizationId, api);
    }

    /// <summary>The header form of the owner's API's gateway door, with the scope in its query when given.</summary>
    public static async Task<string> CheckUrlAsync(this PortalApp app, TestUser owner, string? scope = null) =>
        $"/api/v1/auth/check/{(await app.ApiAsync(owner)).PublicId}" + (scope is null ? "" : $"?scope={Uri.EscapeDataString(scope)}");

    /// <summary>The path form of the owner's API's gateway door for a client target (path and query, starting with '/').</summary>
    public static async Task<string> ExtAuthzUrlAsync(this PortalApp app, TestUser owner, string target) =>
        $"/api/v1/auth/ext-authz/{(await app.ApiAsync(owner)).PublicId}{target}";

    /// <summary>Lets any valid key through requests no endpoint rule of the owner's API matches.</summary>
    public static async Task AllowUnmatchedAsync(this PortalApp app, TestUser owner)
    {
        var api = await app.ApiAsync(owner);
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<ApiCatalog>().UpdateAsync(owner.Caller(), api.Id, new ApiChanges(AllowUnmatchedRequests: true));
    }

    /// <summary>Adds an endpoint rule to the owner's API; returns the rule's id.</summary>
    public static async Task<Guid> AddRuleAsync(this PortalApp app, TestUser owner, string method, string template, string scope)
    {
        var api = await app.ApiAsync(owner);
        await using var services = app.Scope();
        var rule = await services.ServiceProvider.GetRequiredService<ApiCatalog>().AddRuleAsync(owner.Caller(), api.Id, method, template, scope);
        Assert.NotNull(rule);
        return rule.Id;
    }

    public static async Task RevokeAsync(this PortalApp app, TestUser owner, Guid keyId)
    {
        await using var scope = app.Scope();
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RevokeAsync(owner.Caller(), keyId));
    }

    public static async Task<IssuedKey> RotateAsync(this PortalApp app, TestUser owner, Guid keyId, TimeSpan grace)
    {
        await using var scope = app.Scope();
        var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RotateAsync(owner.Caller(), keyId, grace);
        Assert.NotNull(issued);
        return issued;
    }

    /// <summary>A client that sends no credentials of its own, and names its request targets as sent (for the path form).</summary>
    public static HttpClient AnonymousClient(this PortalApp app) => app.CreateDefaultClient(new Uri("http://localhost"), RawTargets.Handler());

    /// <summary>Adds a header as is, without HttpClient's validation, as a hostile client would.</summary>
    public static HttpRequestMessage WithRawHeader(this HttpRequestMessage request, string name, params string[] values)
    {
        Assert.True(request.Headers.TryAddWithoutValidation(name, values));
        return request;
    }

    /// <summary>
    /// Sends the request target as written here, byte for byte, as a raw client (curl --path-as-is)
    /// would: HttpClient itself would resolve dot segments and decode escaped dots before sending.
    /// </summary>
    public static HttpRequestMessage WithRawTarget(this HttpRequestMessage request, string target)
    {
        Assert.True(request.Headers.TryAddWithoutValidation(RawTargets.Header, target));
        return request;
    }

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>
    /// Waits for the authentication log writer (a background service) to store records matching
    /// <paramref name="filter"/>; the request path never writes them itself.
    /// </summary>
    public static async Task<List<AuthenticationLogRecord>> WaitForLogAsync(
        this PortalApp app, Func<IEnumerable<AuthenticationLogRecord>, IEnumerable<AuthenticationLogRecord>> filter, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            // Keyless decisions wait for their minute's record; the fake clock's minute may never end.
            app.Services.GetRequiredService<DecisionRecorder>().Keyless.Flush();
            await using var scope = app.Scope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var found = filter(await StoredLog.AllAsync(db)).ToList();
            if (found.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Sends one more decision through the check door and waits until the log writer stored it. The
    /// writer keeps order, so every record appended before it is then in the database too.
    /// </summary>
    public static async Task LogSentinelAsync(this PortalApp app)
    {
        var path = $"/sentinel/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(await SentinelAsync(app), path));
        using var response = await app.CreateClient().SendAsync(request);
        var stored = await app.WaitForLogAsync(q => q.Where(r => r.Path == path));
        Assert.Single(stored);
    }

    private static Task<TestUser> SentinelAsync(PortalApp app) => Sentinels.GetValue(app, a => a.NewUserAsync());

    /// <summary>
    /// Flushes the usage counters now, as the 5-second timer would, and reads the key's roll-ups by
    /// reason code. Waits until <paramref name="atLeast"/> decisions are stored, in case a timer flush
    /// (fired by advancing the fake clock) took the counts first and is still writing them.
    /// </summary>
    public static async Task<Dictionary<string, long>> FlushedUsageAsync(this PortalApp app, Guid keyId, long atLeast = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await app.Services.GetRequiredService<UsageFlusher>().FlushAsync(CancellationToken.None);
            await using var scope = app.Scope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var rows = await db.UsageRollups.AsNoTracking().Where(r => r.KeyId == keyId).ToListAsync();
            var byCode = rows.GroupBy(r => r.Code).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
            if (byCode.Values.Sum() >= atLeast || DateTime.UtcNow > deadline)
            {
                return byCode;
            }

            await Task.Delay(50);
        }
    }
}
