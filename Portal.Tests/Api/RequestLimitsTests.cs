using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api.Apis;
using Portal.Api.Keys;
using Portal.Api.Organizations;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Tests.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api;

/// <summary>
/// Every list of every management API body at its documented maximum (accepted) and one past it
/// (refused with a 400 ProblemDetails naming the list), through the real endpoints; bodies over an
/// endpoint's size answered 413 with nothing written.
/// </summary>
public abstract class RequestLimitsTests(PortalApp app)
{
    private static readonly ConditionalWeakTable<PortalApp, Task<Tenant>> Tenants = [];

    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>Each list: where it is sent, its maximum, the field a refusal names, and a body holding n items.</summary>
    private static readonly Dictionary<string, Shape> Shapes = new()
    {
        ["create key: scopes"] = Key(Scope.MaxPerKey, "scopes", (_, n) => new { scopes = Numbered(n, i => $"s{i}:read") }),
        ["create key: grants"] = Key(Scope.MaxPerKey, "grants", (_, n) => new { grants = Numbered(n, i => new { scope = $"g{i}:read" }) }),
        ["create key: grants[0].resources"] = Key(Grant.MaxResources, "grants[0].resources", (_, n) => new { grants = new[] { new { scope = "orders:read", resources = Numbered(n, i => $"asset/r{i}") } } }),
        ["create key: schedule.windows"] = Key(AccessSchedule.MaxWindows, "schedule.windows", (_, n) => new { schedule = Schedule(n, 1) }),
        ["create key: schedule.windows[0].days"] = Key(WeeklyWindow.MaxDays, "schedule.windows[0].days", (_, n) => new { schedule = Schedule(1, n) }),
        ["create key: grants[0].schedule.windows"] = Key(AccessSchedule.MaxWindows, "grants[0].schedule.windows", (_, n) => new { grants = new[] { new { scope = "orders:read", schedule = Schedule(n, 1) } } }),
        ["create key: grants[0].schedule.windows[0].days"] = Key(WeeklyWindow.MaxDays, "grants[0].schedule.windows[0].days", (_, n) => new { grants = new[] { new { scope = "orders:read", schedule = Schedule(1, n) } } }),
        ["create key: permissionSets"] = Key(PermissionSet.MaxPerKey, "permissionSets", (t, n) => new { permissionSets = t.SetIds.Take(n) }),
        ["create key: apiIds"] = Key(ApiKey.MaxApis, "apiIds", (t, n) => new { apiIds = t.ApiIds.Take(n) }),
        ["update key: scopes"] = KeyUpdate(Scope.MaxPerKey, "scopes", (_, n) => new { scopes = Numbered(n, i => $"s{i}:read") }),
        ["update key: grants[0].resources"] = KeyUpdate(Grant.MaxResources, "grants[0].resources", (_, n) => new { grants = new[] { new { scope = "orders:read", resources = Numbered(n, i => $"asset/r{i}") } } }),
        ["update key: schedule.windows[0].days"] = KeyUpdate(WeeklyWindow.MaxDays, "schedule.windows[0].days", (_, n) => new { schedule = Schedule(1, n) }),
        ["update key: permissionSets"] = KeyUpdate(PermissionSet.MaxPerKey, "permissionSets", (t, n) => new { permissionSets = t.SetIds.Take(n) }),
        ["update key: apiIds"] = KeyUpdate(ApiKey.MaxApis, "apiIds", (t, n) => new { apiIds = t.ApiIds.Take(n) }),
        ["create API: environments"] = new("POST", _ => "/api/v1/apis", ApiEnvironmentNames.MaxNames, "environments", HttpStatusCode.Created,
            (_, n) => new { name = $"api {Guid.NewGuid():N}", environments = Numbered(n, i => i % 2 == 0 ? "live" : "test") }),
        ["update API: environments"] = new("PATCH", t => $"/api/v1/apis/{ApiId.Format(t.ApiIds[0])}", ApiEnvironmentNames.MaxNames, "environments", HttpStatusCode.OK,
            (_, n) => new { environments = Numbered(n, i => i % 2 == 0 ? "live" : "test") }),
    };

    public static TheoryData<string> ShapeNames => [.. Shapes.Keys];

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public async Task List_AtItsMaximum_IsAccepted(string shape)
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var row = Shapes[shape];

        var response = await SendAsync(tenant, row, row.Max);

        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == row.Accepted, $"{shape} at {row.Max}: {(int)response.StatusCode} {answer[..Math.Min(answer.Length, 500)]}");
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public async Task List_OnePastItsMaximum_IsRefusedNamingTheList(string shape)
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var row = Shapes[shape];
        var keysBefore = await KeyCountAsync(tenant);

        var response = await SendAsync(tenant, row, row.Max + 1);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.Errors();
        Assert.True(errors.ContainsKey(row.Field), $"{shape}: errors name {string.Join(", ", errors.Keys)}, not {row.Field}");
        Assert.Contains($"At most {row.Max} ", errors[row.Field][0], StringComparison.Ordinal);
        Assert.Equal(keysBefore, await KeyCountAsync(tenant));
    }

    [Fact]
    public async Task CreateKey_EveryListAtItsMaximumAtOnce_IsAcceptedAndFitsTheBodyLimit()
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var body = JsonSerializer.Serialize(LargestKeyBody(tenant), ApiResponses.Json);

        var response = await tenant.User.Client.PostAsync("/api/v1/keys", Json(body));

        Assert.True(body.Length < KeysEndpoints.MaxBodyBytes, $"The largest key body is {body.Length} bytes.");
        var issued = await response.ReadAsync<IssuedKeyResponse>(HttpStatusCode.Created);
        Assert.Equal(Scope.MaxPerKey, issued.Key.Grants.Count);
        Assert.Equal(WeeklyWindow.MaxDays, issued.Key.Schedule!.Windows![0].Days.Count);
    }

    [Fact]
    public async Task CreateKey_WindowListingMonday170000Times_Answers413AndWritesNothing()
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var keysBefore = await KeyCountAsync(tenant);
        var body = JsonSerializer.Serialize(new { name = "many mondays", schedule = new { timeZone = "Europe/Berlin", windows = new[] { new { days = Enumerable.Repeat("mon", 170_000), start = "09:00", end = "17:00" } } } });

        var response = await tenant.User.Client.PostAsync("/api/v1/keys", Json(body));

        var problem = await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.True(problem.Errors().ContainsKey("body"));
        Assert.Equal(keysBefore, await KeyCountAsync(tenant));
    }

    [Fact]
    public async Task CreateKey_WindowListingMondayAsOftenAsTheBodyLimitAllows_IsRefusedNamingTheDays()
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var days = (int)(KeysEndpoints.MaxBodyBytes / 7);
        var body = JsonSerializer.Serialize(new { name = "many mondays", schedule = new { timeZone = "Europe/Berlin", windows = new[] { new { days = Enumerable.Repeat("mon", days), start = "09:00", end = "17:00" } } } });
        Assert.True(body.Length <= KeysEndpoints.MaxBodyBytes);

        var response = await tenant.User.Client.PostAsync("/api/v1/keys", Json(body));

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.Contains("At most 7 days", errors["schedule.windows[0].days"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateKey_BodyOneBytePastTheLimit_Answers413AndWritesNothing()
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var keysBefore = await KeyCountAsync(tenant);
        var head = "{\"name\":\"padded\"";
        var body = head + new string(' ', (int)KeysEndpoints.MaxBodyBytes - head.Length) + "}";
        Assert.Equal(KeysEndpoints.MaxBodyBytes + 1, body.Length);

        var response = await tenant.User.Client.PostAsync("/api/v1/keys", Json(body));

        var problem = await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Equal(keysBefore, await KeyCountAsync(tenant));
    }

    [Fact]
    public async Task CreateKey_BodyAtTheLimit_IsRead()
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var head = $"{{\"name\":\"at the limit {Guid.NewGuid():N}\"";
        var body = head + new string(' ', (int)KeysEndpoints.MaxBodyBytes - head.Length - 1) + "}";
        Assert.Equal(KeysEndpoints.MaxBodyBytes, body.Length);

        var response = await tenant.User.Client.PostAsync("/api/v1/keys", Json(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_ChunkedBodyPastTheLimit_Answers413AndWritesNothing()
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var keysBefore = await KeyCountAsync(tenant);
        var bytes = Encoding.UTF8.GetBytes("{\"name\":\"chunked\"" + new string(' ', (int)KeysEndpoints.MaxBodyBytes) + "}");
        var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await tenant.User.Client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(keysBefore, await KeyCountAsync(tenant));
    }

    [Fact]
    public async Task PutPolicies_BodyPastTheLimit_Answers413()
    {
        var tenant = await Tenants.GetValue(app, NewTenantAsync);
        var body = "{\"maxKeyLifetimeDays\":30" + new string(' ', (int)PoliciesEndpoints.MaxBodyBytes) + "}";
        var organizationId = await app.NewOrganizationAsync(tenant.User);
        var client = await app.ClientInAsync(tenant.User, organizationId, Scope.PoliciesManage);

        var response = await client.PutAsync($"/api/v1/organizations/{organizationId}/policies", Json(body));

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    private static Shape Key(int max, string field, Func<Tenant, int, object> lists) =>
        new("POST", _ => "/api/v1/keys", max, field, HttpStatusCode.Created, (t, n) => Merge(new { name = $"limits {Guid.NewGuid():N}" }, lists(t, n)));

    private static Shape KeyUpdate(int max, string field, Func<Tenant, int, object> lists) =>
        new("PATCH", t => $"/api/v1/keys/{t.KeyId}", max, field, HttpStatusCode.OK, lists);

    private static List<T> Numbered<T>(int n, Func<int, T> item) => [.. Enumerable.Range(0, n).Select(item)];

    /// <summary>
    /// A schedule of <paramref name="windows"/> windows that never overlap (one day each, mornings
    /// then afternoons), the first naming <paramref name="days"/> days (the week, then Monday again).
    /// </summary>
    private static object Schedule(int windows, int days) => new
    {
        timeZone = "Europe/Berlin",
        windows = Numbered(windows, w => new
        {
            days = w == 0 ? Numbered(days, d => DayNames[d % 7]) : [DayNames[w % 7]],
            start = w < 7 ? "08:00" : "13:00",
            end = w < 7 ? "12:00" : "17:00",
        }),
    };

    /// <summary>Every list of a key at its maximum, with the longest strings each item may have.</summary>
    private static object LargestKeyBody(Tenant tenant)
    {
        var schedule = new
        {
            notBefore = "2020-01-01T00:00:00Z",
            notAfter = "2999-01-01T00:00:00Z",
            timeZone = "America/Argentina/Buenos_Aires",
            windows = Numbered(AccessSchedule.MaxWindows, w => new { days = DayNames, start = $"{w:00}:00", end = $"{w:00}:30" }),
        };
        static string Padded(string start, int length) => start + new string('x', length - start.Length);
        return new
        {
            name = Padded("largest ", ApiKey.NameMaxLength),
            description = new string('d', ApiKey.DescriptionMaxLength),
            scopes = Numbered(Scope.MaxPerKey, i => Padded($"s{i}:", Scope.MaxLength)),
            grants = Numbered(Scope.MaxPerKey, i => new
            {
                scope = Padded($"g{i}:", Scope.MaxLength),
                resources = Numbered(Grant.MaxResources, r => Padded($"asset/{r}-", ResourcePattern.MaxLength)),
                schedule,
            }),
            schedule,
            permissionSets = tenant.SetIds.Take(PermissionSet.MaxPerKey),
            apiIds = tenant.ApiIds.Take(ApiKey.MaxApis).Select(ApiId.Format),
        };
    }

    private static object Merge(object first, object second)
    {
        var merged = JsonSerializer.SerializeToNode(first, ApiResponses.Json)!.AsObject();
        foreach (var (name, value) in JsonSerializer.SerializeToNode(second, ApiResponses.Json)!.AsObject().ToList())
        {
            merged[name] = value?.DeepClone();
        }

        return merged;
    }

    private static async Task<HttpResponseMessage> SendAsync(Tenant tenant, Shape row, int n)
    {
        var body = row.Body(tenant, n);
        var json = body is System.Text.Json.Nodes.JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(body, ApiResponses.Json);
        if (row.Field == "apiIds")
        {
            // The API takes public ids (api_…); the tenant keeps them as GUIDs.
            json = ReplaceApiIds(json).ToJsonString();
        }

        return await tenant.User.Client.SendAsync(new HttpRequestMessage(new HttpMethod(row.Method), row.Url(tenant)) { Content = Json(json) });
    }

    private static System.Text.Json.Nodes.JsonNode ReplaceApiIds(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["apiIds"] = new System.Text.Json.Nodes.JsonArray([.. node["apiIds"]!.AsArray().Select(id => (System.Text.Json.Nodes.JsonNode)ApiId.Format(Guid.Parse(id!.GetValue<string>())))]);
        return node;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<int> KeyCountAsync(Tenant tenant)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>();
        return await db.ApiKeys.CountAsync(k => k.OrganizationId == tenant.User.OrganizationId);
    }

    private static async Task<Tenant> NewTenantAsync(PortalApp portal)
    {
        var user = await portal.NewUserAsync(null, Scope.ApisManage);
        await using var scope = portal.Scope();
        var sets = scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>();
        var setIds = new List<Guid>();
        for (var i = 0; i <= PermissionSet.MaxPerKey; i++)
        {
            setIds.Add((await sets.CreateAsync(user.Caller(), user.OrganizationId, $"set {i}", null, [new Grant($"p{i}:read")])).Id);
        }

        var apis = scope.ServiceProvider.GetRequiredService<ApiCatalog>();
        var apiIds = new List<Guid>();
        for (var i = 0; i <= ApiKey.MaxApis; i++)
        {
            apiIds.Add((await apis.CreateAsync(user.Caller(), user.OrganizationId, new ApiDraft($"api {i}", Environments: ApiEnvironments.Both))).Id);
        }

        var key = await user.Client.CreateKeyAsync("limits target", "orders:read");
        return new Tenant(user, key.Key.Id, setIds, apiIds);
    }

    private sealed record Shape(string Method, Func<Tenant, string> Url, int Max, string Field, HttpStatusCode Accepted, Func<Tenant, int, object> Body);

    private sealed record Tenant(TestUser User, Guid KeyId, IReadOnlyList<Guid> SetIds, IReadOnlyList<Guid> ApiIds);
}

public sealed class SqliteRequestLimitsTests(SqliteApp app) : RequestLimitsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlRequestLimitsTests(PostgreSqlApp app) : RequestLimitsTests(app), IClassFixture<PostgreSqlApp>;

/// <summary>The key API's body limit on real Kestrel, where the server itself stops reading at the limit.</summary>
public sealed class RequestLimitsKestrelTests(Portal.Tests.Auth.KestrelDoorApp app) : IClassFixture<Portal.Tests.Auth.KestrelDoorApp>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CreateKey_BodyPastTheLimit_Answers413ProblemDetailsAndWritesNothing(bool chunked)
    {
        var owner = await app.NewUserAsync();
        using var client = new HttpClient { BaseAddress = app.Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", owner.ManageToken);
        var bytes = Encoding.UTF8.GetBytes("{\"name\":\"too large\"" + new string(' ', (int)KeysEndpoints.MaxBodyBytes) + "}");
        HttpContent content = chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        var response = await client.SendAsync(request);

        var problem = await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.True(problem.Errors().ContainsKey("body"));
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>().ApiKeys.AnyAsync(k => k.Name == "too large"));
    }
}
