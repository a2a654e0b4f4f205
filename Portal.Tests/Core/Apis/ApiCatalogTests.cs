using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Apis;

public abstract class ApiCatalogTests(PortalApp app)
{
    [Fact]
    public async Task Create_Defaults_LiveOnlyDenyUnmatchedAnyCase_AndAudited()
    {
        var org = await app.NewOrganizationAsync();

        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("  Orders  ", "The orders service")));

        Assert.Equal(("Orders", "The orders service", ApiEnvironments.Live, false, false),
            (api.Name, api.Description, api.Environments, api.AllowUnmatchedRequests, api.CaseSensitivePaths));
        Assert.Matches("^api_[0-9a-f]{32}$", api.PublicId);
        Assert.Equal(api.Id, Assert.Single((await Catalog(c => c.ListAsync(org.Owner.Caller(), org.Id)))!).Id);
        Assert.Equal(AuditActions.ApiCreated, (await AuditOfAsync(api.PublicId)).Single());
    }

    [Theory]
    [InlineData("", "name")]
    [InlineData("   ", "name")]
    [InlineData("bell\u0007", "name")]
    public async Task Create_BadInput_NamesTheField_AndSavesNothing(string name, string field)
    {
        var org = await app.NewOrganizationAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft(name))));

        Assert.Contains(field, error.Errors.Keys);
        Assert.Empty((await Catalog(c => c.ListAsync(org.Owner.Caller(), org.Id)))!);
    }

    [Fact]
    public async Task Create_TooLongNameOrDescription_OrNoEnvironment_IsRefused()
    {
        var org = await app.NewOrganizationAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id,
            new ApiDraft(new string('n', ProtectedApi.NameMaxLength + 1), new string('d', ProtectedApi.DescriptionMaxLength + 1), (ApiEnvironments)0))));

        Assert.Equal(["description", "environments", "name"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task Create_SameNameTwiceInAnOrganization_IsAConflict_OtherOrganizationIsNot()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));

        await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders"))));
        await Catalog(c => c.CreateAsync(other.Owner.Caller(), other.Id, new ApiDraft("orders")));
    }

    [Fact]
    public async Task Update_ChangesOnlyTheGivenFields_AndReachesTheDoorAtOnce()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders", "first")));
        var policies = app.Services.GetRequiredService<ApiPolicyCache>();
        var before = await policies.GetAsync(api.Id, CancellationToken.None);

        var updated = await Catalog(c => c.UpdateAsync(org.Owner.Caller(), api.Id, new ApiChanges(Environments: ApiEnvironments.Both, AllowUnmatchedRequests: true, CaseSensitivePaths: true)));
        var after = await policies.GetAsync(api.Id, CancellationToken.None);

        Assert.Equal(("orders", "first", ApiEnvironments.Both, true, true),
            (updated!.Name, updated.Description, updated.Environments, updated.AllowUnmatchedRequests, updated.CaseSensitivePaths));
        Assert.Equal((ApiEnvironments.Live, false), (before!.Environments, before.Rules.AllowUnmatched));
        Assert.Equal((ApiEnvironments.Both, true), (after!.Environments, after.Rules.AllowUnmatched));
        Assert.Equal([AuditActions.ApiCreated, AuditActions.ApiUpdated], await AuditOfAsync(api.PublicId));
    }

    [Fact]
    public async Task Update_ToAnotherApisName_IsAConflict()
    {
        var org = await app.NewOrganizationAsync();
        await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        var billing = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("billing")));

        await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.UpdateAsync(org.Owner.Caller(), billing.Id, new ApiChanges(Name: "orders"))));
        Assert.Equal("billing", (await Catalog(c => c.FindAsync(org.Owner.Caller(), billing.Id)))!.Name);
    }

    [Fact]
    public async Task Delete_RemovesTheApiAndItsRules_AndTheDoorForgetsIt()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        await AddOrdersResourceAsync(org);
        await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "GET", "/orders/{id}", "orders:read"));
        var policies = app.Services.GetRequiredService<ApiPolicyCache>();
        Assert.NotNull(await policies.GetAsync(api.Id, CancellationToken.None));

        Assert.True(await Catalog(c => c.DeleteAsync(org.Owner.Caller(), api.Id)));

        Assert.Null(await Catalog(c => c.FindAsync(org.Owner.Caller(), api.Id)));
        Assert.Null(await policies.GetAsync(api.Id, CancellationToken.None));
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EndpointRules.AnyAsync(r => r.ApiId == api.Id));
        Assert.Equal([AuditActions.ApiCreated, AuditActions.ApiDeleted], await AuditOfAsync(api.PublicId));
    }

    [Fact]
    public async Task Delete_WhileAKeyIsLimitedToIt_IsRefused_UntilTheKeyIsRevoked()
    {
        // Removing the API from such a key would widen the key to every API of the organization.
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        var other = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("billing")));
        var limited = await CreateKeyAsync(org, "limited to orders");
        await CreateKeyAsync(org, "every api"); // limited to no API, it may call all of them: no reason to refuse
        await LimitAsync(limited, api.Id, other.Id);

        var error = await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.DeleteAsync(org.Owner.Caller(), api.Id)));
        Assert.Contains("limited to orders", error.Message);
        Assert.NotNull(await Catalog(c => c.FindAsync(org.Owner.Caller(), api.Id)));

        await using (var scope = app.Scope())
        {
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<KeyCatalog>().RevokeAsync(org.Owner.Caller(), limited));
        }

        Assert.True(await Catalog(c => c.DeleteAsync(org.Owner.Caller(), api.Id)));
    }

    [Theory]
    [InlineData("FETCH", "/orders", "orders:read", "method")]
    [InlineData("GET", "orders", "orders:read", "pathTemplate")]
    [InlineData("GET", "/orders/{id", "orders:read", "pathTemplate")]
    [InlineData("GET", "/orders", "orders", "scope")]
    [InlineData("GET", "/orders", "orders:*", "scope")]
    [InlineData("GET", "/orders", "ghosts:read", "scope")]
    [InlineData("GET", "/orders", "orders:cancel", "scope")]
    public async Task AddRule_BadInput_NamesTheField_AndSavesNothing(string method, string template, string scope, string field)
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        await AddOrdersResourceAsync(org);

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, method, template, scope)));

        Assert.Contains(field, error.Errors.Keys);
        Assert.Empty((await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!);
    }

    [Fact]
    public async Task AddRule_SameMethodAndShape_IsAConflict_OtherMethodOrOtherApiIsNot()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        var other = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders v2")));
        await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "GET", "/orders/{id}", "orders:read"));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "get", "/orders/{orderId}/", "orders:write")));
        await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "DELETE", "/orders/{id}", "orders:admin"));
        await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), other.Id, "GET", "/orders/{id}", "orders:write"));

        Assert.Contains("orders:read", error.Message);
        Assert.Equal(["DELETE orders:admin", "GET orders:read"], (await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!.Select(r => $"{r.Method} {r.Scope}"));
        Assert.Equal("orders:write", Assert.Single((await Catalog(c => c.RulesAsync(org.Owner.Caller(), other.Id)))!).Scope);
    }

    [Fact]
    public async Task AddRule_BeyondTheMaximum_IsRefused()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        await using (var scope = app.Scope())
        {
            // Stored directly: a thousand rules through the catalog would be a thousand audited saves.
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.EndpointRules.AddRange(Enumerable.Range(0, ApiCatalog.MaxRules).Select(i => new EndpointRule
            {
                OrganizationId = org.Id, ApiId = api.Id, Method = "GET", PathTemplate = $"/r{i}", Scope = "orders:read", CreatedAt = app.Clock.GetUtcNow(),
            }));
            await db.SaveChangesAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "GET", "/one-more", "orders:read")));

        Assert.Contains($"at most {ApiCatalog.MaxRules}", error.Message + string.Concat(error.Errors.Values.SelectMany(v => v)));
        Assert.Equal(ApiCatalog.MaxRules, (await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!.Count);
    }

    [Fact]
    public async Task DeleteRule_RemovesIt_AndReachesTheDoorAtOnce()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        var rule = await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "GET", "/orders/{id}", "orders:read"));
        var policies = app.Services.GetRequiredService<ApiPolicyCache>();
        Assert.Single((await policies.GetAsync(api.Id, CancellationToken.None))!.Rules.Rules);

        Assert.True(await Catalog(c => c.DeleteRuleAsync(org.Owner.Caller(), api.Id, rule!.Id)));
        Assert.False(await Catalog(c => c.DeleteRuleAsync(org.Owner.Caller(), api.Id, rule!.Id)));

        Assert.Empty((await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!);
        Assert.Empty((await policies.GetAsync(api.Id, CancellationToken.None))!.Rules.Rules);
    }

    [Fact]
    public async Task DeleteRule_OfAnotherApi_IsNotFoundAndKeepsTheRule()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        var other = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("billing")));
        var rule = await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "GET", "/orders/{id}", "orders:read"));

        Assert.False(await Catalog(c => c.DeleteRuleAsync(org.Owner.Caller(), other.Id, rule!.Id)));

        Assert.Single((await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!);
    }

    [Fact]
    public async Task Developer_ReadsButCannotChange()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        var rule = await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "GET", "/x", "keys:verify"));
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);

        Assert.Single((await Catalog(c => c.ListAsync(developer.Caller(), org.Id)))!);
        Assert.Single((await Catalog(c => c.RulesAsync(developer.Caller(), api.Id)))!);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.CreateAsync(developer.Caller(), org.Id, new ApiDraft("mine"))));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.UpdateAsync(developer.Caller(), api.Id, new ApiChanges(AllowUnmatchedRequests: true))));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.DeleteAsync(developer.Caller(), api.Id)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.AddRuleAsync(developer.Caller(), api.Id, "GET", "/y", "keys:verify")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.DeleteRuleAsync(developer.Caller(), api.Id, rule!.Id)));

        var unchanged = (await Catalog(c => c.FindAsync(org.Owner.Caller(), api.Id)))!;
        Assert.False(unchanged.AllowUnmatchedRequests);
        Assert.Single((await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!);
    }

    [Fact]
    public async Task OtherTenantsApi_IsNotFound_LikeAnUnknownId()
    {
        var org = await app.NewOrganizationAsync();
        var api = await Catalog(c => c.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders")));
        var rule = await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), api.Id, "GET", "/x", "keys:verify"));
        var stranger = await app.NewOrganizationAsync();
        var caller = stranger.Owner.Caller();

        foreach (var id in new[] { api.Id, Guid.NewGuid() })
        {
            Assert.Null(await Catalog(c => c.FindAsync(caller, id)));
            Assert.Null(await Catalog(c => c.RulesAsync(caller, id)));
            Assert.Null(await Catalog(c => c.AddRuleAsync(caller, id, "GET", "/y", "keys:verify")));
            Assert.False(await Catalog(c => c.DeleteRuleAsync(caller, id, rule!.Id)));
            Assert.Null(await Catalog(c => c.UpdateAsync(caller, id, new ApiChanges(Name: "mine now", AllowUnmatchedRequests: true))));
            Assert.False(await Catalog(c => c.DeleteAsync(caller, id)));
        }

        Assert.Null(await Catalog(c => c.ListAsync(caller, org.Id)));
        await Assert.ThrowsAsync<NotFoundException>(() => Catalog(c => c.CreateAsync(caller, org.Id, new ApiDraft("planted"))));
        var untouched = (await Catalog(c => c.FindAsync(org.Owner.Caller(), api.Id)))!;
        Assert.Equal(("orders", false), (untouched.Name, untouched.AllowUnmatchedRequests));
        Assert.Single((await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!);
        Assert.Single((await Catalog(c => c.ListAsync(org.Owner.Caller(), org.Id)))!);
    }

    [Fact]
    public async Task PlatformAdministrator_DescribesAnyOrganizationsApis()
    {
        var org = await app.NewOrganizationAsync();
        Caller admin;
        await using (var scope = app.Scope())
        {
            var email = $"platform-{Guid.NewGuid():N}@example.com";
            var user = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(email, TestTenants.Password, actor: null, platformAdministrator: true);
            admin = new Caller(user.Id, email, Channels.Portal);
        }

        await Access(c => c.AddResourceAsync(admin, org.Id, "orders", null, []));
        var api = await Catalog(c => c.CreateAsync(admin, org.Id, new ApiDraft("orders")));
        await Catalog(c => c.AddRuleAsync(admin, api.Id, "GET", "/orders", "orders:read"));

        Assert.Equal(org.Id, Assert.Single((await Catalog(c => c.ListAsync(org.Owner.Caller(), org.Id)))!).OrganizationId);
        Assert.Single((await Catalog(c => c.RulesAsync(org.Owner.Caller(), api.Id)))!);
        await Assert.ThrowsAsync<NotFoundException>(() => Catalog(c => c.CreateAsync(admin, Guid.NewGuid(), new ApiDraft("ghosts"))));
    }

    private async Task AddOrdersResourceAsync(TestOrganization org) =>
        await Access(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "orders", null, ["refund"]));

    private async Task<Guid> CreateKeyAsync(TestOrganization org, string name)
    {
        await using var scope = app.Scope();
        var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            org.Owner.Caller(), new CreateKeyCommand(name, Scopes: ["keys:verify"], OrganizationId: org.Id));
        return issued.Key.Id;
    }

    // Keys are limited to APIs directly in the database: that is all the catalog reads.
    private async Task LimitAsync(Guid keyId, params Guid[] apiIds)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var key = await db.ApiKeys.SingleAsync(k => k.Id == keyId);
        key.ApiIds = [.. apiIds];
        await db.SaveChangesAsync();
    }

    // By action name: the records of one test share one moment of the fake clock.
    private async Task<List<string>> AuditOfAsync(string publicId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .Where(r => r.TargetId == publicId).Select(r => r.Action).OrderBy(a => a).ToListAsync();
    }

    private async Task<T> Catalog<T>(Func<ApiCatalog, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<ApiCatalog>());
    }

    private async Task<T> Access<T>(Func<AccessCatalog, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<AccessCatalog>());
    }
}

public sealed class SqliteApiCatalogTests(SqliteApp app) : ApiCatalogTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlApiCatalogTests(PostgreSqlApp app) : ApiCatalogTests(app), IClassFixture<PostgreSqlApp>;
