using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api.Apis;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Apis;

/// <summary><c>/api/v1/apis</c> over real HTTP: the registry of an organization's APIs and their endpoint rules.</summary>
public abstract class ApisApiTests(PortalApp app)
{
    [Fact]
    public async Task CreateGetListUpdate_OwnersManageKey_RoundTrips()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);

        var created = await (await owner.Client.PostAsJsonAsync("/api/v1/apis",
            new { name = "orders", description = "order service", environments = new[] { "live", "test" }, allowUnmatchedRequests = true }))
            .ReadAsync<ApiResponse>(HttpStatusCode.Created);
        var read = await (await owner.Client.GetAsync($"/api/v1/apis/{created.Id}")).ReadAsync<ApiResponse>(HttpStatusCode.OK);
        var listed = await (await owner.Client.GetAsync("/api/v1/apis")).ReadAsync<ApiListResponse>(HttpStatusCode.OK);
        var updated = await (await owner.Client.PatchAsJsonAsync($"/api/v1/apis/{created.Id}", new { name = "orders v2", environments = new[] { "test" }, caseSensitivePaths = true }))
            .ReadAsync<ApiResponse>(HttpStatusCode.OK);

        Assert.True(ApiId.TryParse(created.Id, out _), created.Id);
        Assert.Equal(("orders", "order service", true, false), (created.Name, created.Description, created.AllowUnmatchedRequests, created.CaseSensitivePaths));
        Assert.Equal(["live", "test"], created.Environments);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal(created.Name, read.Name);
        Assert.Equal([created.Id], listed.Items.Select(a => a.Id));
        Assert.Equal(("orders v2", "order service", true, true), (updated.Name, updated.Description, updated.AllowUnmatchedRequests, updated.CaseSensitivePaths));
        Assert.Equal(["test"], updated.Environments);
        Assert.InRange(updated.CreatedAt - created.CreatedAt, TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Create_WithoutEnvironments_AcceptsLiveKeysOnly()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);

        var created = await (await owner.Client.PostAsJsonAsync("/api/v1/apis", new { name = "billing" })).ReadAsync<ApiResponse>(HttpStatusCode.Created);

        Assert.Equal(["live"], created.Environments);
        Assert.False(created.AllowUnmatchedRequests);
        Assert.Null(created.Description);
    }

    [Fact]
    public async Task Delete_ByOwner_RemovesTheApiAndItsRules()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("to delete");
        await owner.Client.AddRuleAsync(api.Id, "GET", "/orders/{id}", "orders:read");

        var deleted = await owner.Client.DeleteAsync($"/api/v1/apis/{api.Id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await owner.Client.GetAsync($"/api/v1/apis/{api.Id}")).ReadProblemAsync(HttpStatusCode.NotFound);
        ApiId.TryParse(api.Id, out var id);
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EndpointRules.AnyAsync(r => r.ApiId == id));
    }

    [Fact]
    public async Task Rules_AddListDelete_RoundTrips()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("orders");

        var rule = await owner.Client.AddRuleAsync(api.Id, "get", "/orders/{id}", "orders:read");
        await owner.Client.AddRuleAsync(api.Id, "*", "/orders", "orders:write");
        var listed = await (await owner.Client.GetAsync($"/api/v1/apis/{api.Id}/rules")).ReadAsync<EndpointRuleListResponse>(HttpStatusCode.OK);
        var deleted = await owner.Client.DeleteAsync($"/api/v1/apis/{api.Id}/rules/{rule.Id}");
        var after = await (await owner.Client.GetAsync($"/api/v1/apis/{api.Id}/rules")).ReadAsync<EndpointRuleListResponse>(HttpStatusCode.OK);

        Assert.Equal(("GET", "/orders/{id}", "orders:read"), (rule.Method, rule.PathTemplate, rule.Scope));
        Assert.Equal(["/orders", "/orders/{id}"], listed.Items.Select(r => r.PathTemplate));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(["/orders"], after.Items.Select(r => r.PathTemplate));
    }

    [Fact]
    public async Task Changes_AreAuditedWithThePublicId()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);

        var api = await owner.Client.CreateApiAsync("audited");
        await owner.Client.PatchAsJsonAsync($"/api/v1/apis/{api.Id}", new { name = "audited 2" });

        await using var scope = app.Scope();
        var records = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .Where(r => r.TargetId == api.Id).Select(r => new { r.Action, r.Channel }).ToListAsync();
        Assert.Equal([AuditActions.ApiCreated, AuditActions.ApiUpdated], records.Select(r => r.Action).Order());
        Assert.All(records, r => Assert.Equal(Channels.Api, r.Channel));
    }

    public static TheoryData<string, string> AnyApiEndpoint => new()
    {
        { "GET", "" },
        { "PATCH", """{"name":"hijacked"}""" },
        { "DELETE", "" },
        { "GET /rules", "" },
        { "POST /rules", """{"method":"GET","pathTemplate":"/x","scope":"orders:read"}""" },
        { "DELETE /rules/{rule}", "" },
    };

    [Theory]
    [MemberData(nameof(AnyApiEndpoint))]
    public async Task AnyApiEndpoint_AnotherTenantsApi_Returns404LikeAnUnknownOne(string endpoint, string body)
    {
        var alice = await app.NewUserAsync(null, Scope.ApisManage);
        var bob = await app.NewUserAsync(null, Scope.ApisManage);
        var bobs = await bob.Client.CreateApiAsync("bob's api");
        var bobsRule = await bob.Client.AddRuleAsync(bobs.Id, "GET", "/secret", "orders:read");

        var foreign = await alice.Client.SendAsync(Request(endpoint, bobs.Id, bobsRule.Id, body));
        var unknown = await alice.Client.SendAsync(Request(endpoint, ApiId.Format(Guid.CreateVersion7()), bobsRule.Id, body));
        var malformed = await alice.Client.SendAsync(Request(endpoint, "api_not-an-id", bobsRule.Id, body));

        var foreignProblem = await foreign.ReadProblemAsync(HttpStatusCode.NotFound);
        var unknownProblem = await unknown.ReadProblemAsync(HttpStatusCode.NotFound);
        await malformed.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(unknownProblem.GetProperty("title").GetString(), foreignProblem.GetProperty("title").GetString());
        Assert.DoesNotContain("bob", foreignProblem.ToString(), StringComparison.OrdinalIgnoreCase);
        var still = await (await bob.Client.GetAsync($"/api/v1/apis/{bobs.Id}")).ReadAsync<ApiResponse>(HttpStatusCode.OK);
        Assert.Equal("bob's api", still.Name);
        var rules = await (await bob.Client.GetAsync($"/api/v1/apis/{bobs.Id}/rules")).ReadAsync<EndpointRuleListResponse>(HttpStatusCode.OK);
        Assert.Equal(["/secret"], rules.Items.Select(r => r.PathTemplate));
    }

    [Fact]
    public async Task List_ShowsOnlyTheKeysOrganization()
    {
        var organization = await app.NewOrganizationAsync();
        var inOrganization = await app.ClientInAsync(organization.Owner, organization.Id, Scope.ApisManage);
        var personal = await app.NewUserAsync(null, Scope.ApisManage);
        await inOrganization.CreateApiAsync("team api");
        await personal.Client.CreateApiAsync("own api");

        var listed = await (await inOrganization.GetAsync("/api/v1/apis")).ReadAsync<ApiListResponse>(HttpStatusCode.OK);

        Assert.Equal(["team api"], listed.Items.Select(a => a.Name));
    }

    [Fact]
    public async Task DeleteRule_RuleOfAnotherApi_Returns404AndKeepsIt()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var first = await owner.Client.CreateApiAsync("first");
        var second = await owner.Client.CreateApiAsync("second");
        var rule = await owner.Client.AddRuleAsync(second.Id, "GET", "/x", "orders:read");

        var response = await owner.Client.DeleteAsync($"/api/v1/apis/{first.Id}/rules/{rule.Id}");

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
        var rules = await (await owner.Client.GetAsync($"/api/v1/apis/{second.Id}/rules")).ReadAsync<EndpointRuleListResponse>(HttpStatusCode.OK);
        Assert.Single(rules.Items);
    }

    [Fact]
    public async Task ReadKey_MayReadButNotChange()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("orders");
        var reader = await app.ClientInAsync(owner, owner.OrganizationId, Scope.ApisRead);

        var list = await reader.GetAsync("/api/v1/apis");
        var rules = await reader.GetAsync($"/api/v1/apis/{api.Id}/rules");
        var create = await reader.PostAsJsonAsync("/api/v1/apis", new { name = "sneaky" });
        var patch = await reader.PatchAsJsonAsync($"/api/v1/apis/{api.Id}", new { name = "sneaky" });
        var delete = await reader.DeleteAsync($"/api/v1/apis/{api.Id}");
        var addRule = await reader.PostAsJsonAsync($"/api/v1/apis/{api.Id}/rules", new { method = "GET", pathTemplate = "/x", scope = "orders:read" });

        Assert.Equal("orders", Assert.Single((await list.ReadAsync<ApiListResponse>(HttpStatusCode.OK)).Items).Name);
        Assert.Equal(HttpStatusCode.OK, rules.StatusCode);
        foreach (var refused in new[] { create, patch, delete, addRule })
        {
            await refused.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        var still = await (await owner.Client.GetAsync($"/api/v1/apis/{api.Id}")).ReadAsync<ApiResponse>(HttpStatusCode.OK);
        Assert.Equal("orders", still.Name);
    }

    [Fact]
    public async Task KeyWithoutApisScopes_Returns403()
    {
        var owner = await app.NewUserAsync();
        var keysOnly = await owner.Client.CreateKeyAsync("keys only", "keys:manage");

        var response = await app.ClientWith(keysOnly.Token).GetAsync("/api/v1/apis");

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task NoKey_Returns401()
    {
        var response = await app.CreateClient().GetAsync("/api/v1/apis");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(OrganizationRole.Developer)]
    [InlineData(OrganizationRole.Viewer)]
    public async Task ManageKeyOfANonAdmin_ReadsButChangesNothing(OrganizationRole role)
    {
        var organization = await app.NewOrganizationAsync();
        var admin = await app.ClientInAsync(organization.Owner, organization.Id, Scope.ApisManage);
        var api = await admin.CreateApiAsync("team api");
        var member = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var client = await app.ClientInAsync(member, organization.Id, Scope.ApisManage);
        if (role == OrganizationRole.Viewer)
        {
            // A viewer cannot create keys; demote the developer after their key exists.
            await using var demote = app.Scope();
            var db = demote.ServiceProvider.GetRequiredService<PortalDbContext>();
            (await db.Memberships.SingleAsync(m => m.OrganizationId == organization.Id && m.UserId == member.User.Id)).Role = OrganizationRole.Viewer;
            await db.SaveChangesAsync();
        }

        var read = await client.GetAsync($"/api/v1/apis/{api.Id}");
        var create = await client.PostAsJsonAsync("/api/v1/apis", new { name = "member api" });
        var patch = await client.PatchAsJsonAsync($"/api/v1/apis/{api.Id}", new { allowUnmatchedRequests = true });
        var addRule = await client.PostAsJsonAsync($"/api/v1/apis/{api.Id}/rules", new { method = "GET", pathTemplate = "/x", scope = "orders:read" });
        var delete = await client.DeleteAsync($"/api/v1/apis/{api.Id}");

        Assert.Equal("team api", (await read.ReadAsync<ApiResponse>(HttpStatusCode.OK)).Name);
        foreach (var refused in new[] { create, patch, addRule, delete })
        {
            await refused.ReadProblemAsync(HttpStatusCode.Forbidden);
        }

        var listed = await (await admin.GetAsync("/api/v1/apis")).ReadAsync<ApiListResponse>(HttpStatusCode.OK);
        var only = Assert.Single(listed.Items);
        Assert.False(only.AllowUnmatchedRequests);
    }

    public static TheoryData<string, string, string> BadCreateBodies => new()
    {
        // scenario, JSON body, field named in errors
        { "empty name", """{"name":""}""", "name" },
        { "missing name", """{"environments":["live"]}""", "name" },
        { "101-character name", $$"""{"name":"{{new string('n', 101)}}"}""", "name" },
        { "control character in name", """{"name":"tab\there"}""", "name" },
        { "301-character description", $$"""{"name":"ok","description":"{{new string('d', 301)}}"}""", "description" },
        { "unknown environment", """{"name":"ok","environments":["production"]}""", "environments" },
        { "no environment", """{"name":"ok","environments":[]}""", "environments" },
        { "environments is a string", """{"name":"ok","environments":"live"}""", "environments" },
        { "flag is a string", """{"name":"ok","allowUnmatchedRequests":"yes"}""", "allowUnmatchedRequests" },
        { "unknown field", """{"name":"ok","colour":"red"}""", "colour" },
        { "body is not JSON", "name=ok", "body" },
    };

    [Theory]
    [MemberData(nameof(BadCreateBodies))]
    public async Task Create_BadBody_Returns400NamingTheFieldAndCreatesNothing(string scenario, string body, string field)
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);

        var response = await owner.Client.PostAsync("/api/v1/apis", Json(body));

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.True(errors.ContainsKey(field), $"{scenario}: errors name {string.Join(", ", errors.Keys)}, not {field}");
        var listed = await (await owner.Client.GetAsync("/api/v1/apis")).ReadAsync<ApiListResponse>(HttpStatusCode.OK);
        Assert.Empty(listed.Items);
    }

    [Theory]
    [InlineData("""{"name":" "}""", "name")]
    [InlineData("""{"environments":["staging"]}""", "environments")]
    [InlineData("""{"environments":[]}""", "environments")]
    [InlineData("""{"caseSensitivePaths":1}""", "caseSensitivePaths")]
    public async Task Update_BadBody_Returns400NamingTheFieldAndChangesNothing(string body, string field)
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("unchanged");

        var response = await owner.Client.PatchAsync($"/api/v1/apis/{api.Id}", Json(body));

        Assert.Contains(field, (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
        var still = await (await owner.Client.GetAsync($"/api/v1/apis/{api.Id}")).ReadAsync<ApiResponse>(HttpStatusCode.OK);
        Assert.Equal("unchanged", still.Name);
        Assert.Equal(["live", "test"], still.Environments);
    }

    [Theory]
    [InlineData("""{"method":"FETCH","pathTemplate":"/x","scope":"orders:read"}""", "method")]
    [InlineData("""{"method":"GET","pathTemplate":"no-slash","scope":"orders:read"}""", "pathTemplate")]
    [InlineData("""{"method":"GET","pathTemplate":"/x","scope":"Orders"}""", "scope")]
    [InlineData("""{"method":"GET","pathTemplate":"/x","scope":"orders:*"}""", "scope")]
    public async Task AddRule_BadRule_Returns400NamingTheField(string body, string field)
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("orders");

        var response = await owner.Client.PostAsync($"/api/v1/apis/{api.Id}/rules", Json(body));

        Assert.Contains(field, (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
    }

    [Fact]
    public async Task Create_NameTaken_Returns409NamingName()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        await owner.Client.CreateApiAsync("twice");

        var response = await owner.Client.PostAsJsonAsync("/api/v1/apis", new { name = "twice" });

        Assert.Contains("name", (await response.ReadProblemAsync(HttpStatusCode.Conflict)).Errors().Keys);
    }

    [Fact]
    public async Task AddRule_SameMethodAndShape_Returns409()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("orders");
        await owner.Client.AddRuleAsync(api.Id, "GET", "/orders/{id}", "orders:read");

        var response = await owner.Client.PostAsJsonAsync($"/api/v1/apis/{api.Id}/rules", new { method = "GET", pathTemplate = "/orders/{orderId}", scope = "orders:write" });

        Assert.Contains("pathTemplate", (await response.ReadProblemAsync(HttpStatusCode.Conflict)).Errors().Keys);
    }

    [Fact]
    public async Task Delete_WhileAKeyIsLimitedToIt_Returns409AndKeepsIt()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var api = await owner.Client.CreateApiAsync("in use");
        await owner.Client.CreateKeyAsync(new { name = "limited", apiIds = new[] { api.Id } });

        var response = await owner.Client.DeleteAsync($"/api/v1/apis/{api.Id}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("limited", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/v1/apis/{api.Id}")).StatusCode);
    }

    [Fact]
    public async Task Create_BodyOverTheLimit_Returns413()
    {
        var owner = await app.NewUserAsync(null, Scope.ApisManage);
        var body = $$"""{"name":"big","description":"{{new string('d', (int)ApisEndpoints.MaxBodyBytes)}}"}""";

        var response = await owner.Client.PostAsync("/api/v1/apis", Json(body));

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        var listed = await (await owner.Client.GetAsync("/api/v1/apis")).ReadAsync<ApiListResponse>(HttpStatusCode.OK);
        Assert.Empty(listed.Items);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Request(string endpoint, string apiId, Guid ruleId, string body)
    {
        var (method, suffix) = endpoint switch
        {
            "GET" => (HttpMethod.Get, ""),
            "PATCH" => (HttpMethod.Patch, ""),
            "DELETE" => (HttpMethod.Delete, ""),
            "GET /rules" => (HttpMethod.Get, "/rules"),
            "POST /rules" => (HttpMethod.Post, "/rules"),
            "DELETE /rules/{rule}" => (HttpMethod.Delete, $"/rules/{ruleId}"),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        var request = new HttpRequestMessage(method, $"/api/v1/apis/{apiId}{suffix}");
        if (body.Length > 0)
        {
            request.Content = Json(body);
        }

        return request;
    }
}

public sealed class SqliteApisApiTests(SqliteApp app) : ApisApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlApisApiTests(PostgreSqlApp app) : ApisApiTests(app), IClassFixture<PostgreSqlApp>;
