using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>The access and API pages and the set export over real HTTP: members read, admins edit, other tenants find nothing.</summary>
public sealed class AccessPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task OtherTenantsAccessPagesAndSets_ShowNotFound()
    {
        var me = await app.NewUserAsync();
        var other = await app.NewUserAsync();
        var otherSet = await CreateSetAsync(other, other.OrganizationId);
        var otherApi = await CreateApiAsync(other, other.OrganizationId);
        var client = await new PortalPagesTests(app).SignInAsync(me);

        foreach (var path in new[]
                 {
                     $"/orgs/{other.OrganizationId}/access/resources",
                     $"/orgs/{other.OrganizationId}/apis",
                     $"/orgs/{other.OrganizationId}/apis/{otherApi}",
                     $"/orgs/{me.OrganizationId}/apis/{otherApi}",
                     $"/orgs/{other.OrganizationId}/access/sets",
                     $"/orgs/{other.OrganizationId}/access/sets/new",
                     $"/orgs/{other.OrganizationId}/access/sets/{otherSet}",
                     $"/orgs/{other.OrganizationId}/access/sets/{otherSet}/edit",
                     $"/orgs/{me.OrganizationId}/access/sets/{otherSet}",
                     $"/orgs/{me.OrganizationId}/access/sets/{otherSet}/edit",
                 })
        {
            var page = await client.GetNotFoundPageAsync(path);
            Assert.DoesNotContain("readers", page);
        }

        // The endpoint rules moved to each API's page: the organization-wide page is gone.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/orgs/{me.OrganizationId}/access/rules")).StatusCode);
    }

    [Fact]
    public async Task Export_OwnSet_IsAJsonFile_OtherTenantsIsNotFound()
    {
        var me = await app.NewUserAsync();
        var other = await app.NewUserAsync();
        var mine = await CreateSetAsync(me, me.OrganizationId);
        var theirs = await CreateSetAsync(other, other.OrganizationId);
        var client = await new PortalPagesTests(app).SignInAsync(me);

        var export = await client.GetAsync($"/orgs/{me.OrganizationId}/access/sets/{mine}/export.json");

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/json", export.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Contains(PermissionSetExport.CurrentFormat, await export.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/orgs/{other.OrganizationId}/access/sets/{theirs}/export.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/orgs/{me.OrganizationId}/access/sets/{theirs}/export.json")).StatusCode);
    }

    [Fact]
    public async Task Developer_ReadsAccessPages_WithoutEditingControls()
    {
        var owner = await app.NewUserAsync();
        var developer = await app.NewUserAsync();
        var organization = await InScope<OrganizationDirectory, OrganizationSummary>(d => d.CreateAsync(owner.Caller(), "Readers " + Guid.NewGuid().ToString("N")[..6]));
        var invitation = await InScope<OrganizationDirectory, IssuedInvitation?>(d => d.InviteAsync(owner.Caller(), organization.Id, developer.User.Email, OrganizationRole.Developer));
        await InScope<OrganizationDirectory, OrganizationSummary>(d => d.AcceptAsync(developer.Caller(), invitation!.Token));
        var set = await CreateSetAsync(owner, organization.Id);
        var api = await CreateApiAsync(owner, organization.Id);
        var client = await new PortalPagesTests(app).SignInAsync(developer);

        var resources = await client.GetStringAsync($"/orgs/{organization.Id}/access/resources");
        var sets = await client.GetStringAsync($"/orgs/{organization.Id}/access/sets");
        var setPage = await client.GetStringAsync($"/orgs/{organization.Id}/access/sets/{set}");
        var edit = await client.GetStringAsync($"/orgs/{organization.Id}/access/sets/{set}/edit");
        var apis = await client.GetStringAsync($"/orgs/{organization.Id}/apis");
        var apiPage = await client.GetStringAsync($"/orgs/{organization.Id}/apis/{api}");

        Assert.DoesNotContain("Add resource", resources);
        Assert.Contains("order readers", sets);
        Assert.DoesNotContain("New permission set", sets);
        Assert.Contains("orders:read", setPage);
        Assert.DoesNotContain("Delete", setPage);
        Assert.Contains("Only organization admins build permission sets.", edit);
        Assert.Contains("order readers api", apis);
        Assert.DoesNotContain("Register an API", apis);
        Assert.Contains("/orders/{id}", apiPage);
        Assert.DoesNotContain("Add rule", apiPage);
        Assert.DoesNotContain("Save API", apiPage);
    }

    private async Task<Guid> CreateSetAsync(TestUser admin, Guid organizationId)
    {
        var set = await InScope<PermissionSetCatalog, PermissionSet>(c => c.CreateAsync(admin.Caller(), organizationId, "order readers", null, [new Grant("orders:read")]));
        return set.Id;
    }

    private async Task<Guid> CreateApiAsync(TestUser admin, Guid organizationId)
    {
        var api = await InScope<ApiCatalog, ProtectedApi>(c => c.CreateAsync(admin.Caller(), organizationId, new ApiDraft("order readers api")));
        await InScope<ApiCatalog, EndpointRule?>(c => c.AddRuleAsync(admin.Caller(), api.Id, "GET", "/orders/{id}", "orders:read"));
        return api.Id;
    }

    private async Task<T> InScope<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
