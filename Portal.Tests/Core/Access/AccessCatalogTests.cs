using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Access;

public abstract class AccessCatalogTests(PortalApp app)
{
    [Fact]
    public async Task Developer_ReadsButCannotChange_StrangerSeesNothing()
    {
        // The rules' half of this moved with the rules to ApiCatalogTests.
        var org = await app.NewOrganizationAsync();
        var orders = await Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "orders", null, []));
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var stranger = await app.NewUserAsync();

        Assert.Equal("orders", Assert.Single((await Catalog(c => c.ResourcesAsync(developer.Caller(), org.Id)))!).Name);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.AddResourceAsync(developer.Caller(), org.Id, "x", null, [])));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.UpdateResourceAsync(developer.Caller(), org.Id, orders.Id, "mine", [])));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.DeleteResourceAsync(developer.Caller(), org.Id, orders.Id)));
        Assert.Null(await Catalog(c => c.ResourcesAsync(stranger.Caller(), org.Id)));
        await Assert.ThrowsAsync<NotFoundException>(() => Catalog(c => c.AddResourceAsync(stranger.Caller(), org.Id, "x", null, [])));
        await Assert.ThrowsAsync<NotFoundException>(() => Catalog(c => c.DeleteResourceAsync(stranger.Caller(), org.Id, orders.Id)));
    }

    [Fact]
    public async Task DeleteResource_InUseByARuleOrSet_IsRefused()
    {
        var org = await app.NewOrganizationAsync();
        var orders = await Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "orders", null, ["refund"]));
        var invoices = await Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "invoices", null, []));
        await using (var scope = app.Scope())
        {
            var apis = scope.ServiceProvider.GetRequiredService<ApiCatalog>();
            var api = await apis.CreateAsync(org.Owner.Caller(), org.Id, new ApiDraft("orders"));
            Assert.NotNull(await apis.AddRuleAsync(org.Owner.Caller(), api.Id, "POST", "/orders/{id}/refund", "orders:refund"));

            await scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>().CreateAsync(org.Owner.Caller(), org.Id, "Billing", null, [new Grant("invoices:read")]);
        }

        var byRule = await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.DeleteResourceAsync(org.Owner.Caller(), org.Id, orders.Id)));
        var bySet = await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.DeleteResourceAsync(org.Owner.Caller(), org.Id, invoices.Id)));
        var byAction = await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.UpdateResourceAsync(org.Owner.Caller(), org.Id, orders.Id, null, [])));

        Assert.Contains("endpoint rule", byRule.Message);
        Assert.Contains("Billing", bySet.Message);
        Assert.Contains("orders:refund", byAction.Message);
    }

    [Fact]
    public async Task PlatformAdministrator_DescribesAnyOrganizationsResources()
    {
        var org = await app.NewOrganizationAsync();
        Caller admin;
        await using (var scope = app.Scope())
        {
            var email = $"platform-{Guid.NewGuid():N}@example.com";
            var user = await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(email, TestTenants.Password, actor: null, platformAdministrator: true);
            admin = new Caller(user.Id, email, Channels.Portal);
        }

        var orders = await Catalog(c => c.AddResourceAsync(admin, org.Id, "orders", null, []));
        await Catalog(c => c.UpdateResourceAsync(admin, org.Id, orders.Id, "Orders and their lines", ["refund"]));

        Assert.Equal("orders", Assert.Single((await Catalog(c => c.ResourcesAsync(admin, org.Id)))!).Name);
        Assert.Equal(["refund"], Assert.Single((await Catalog(c => c.ResourcesAsync(org.Owner.Caller(), org.Id)))!).CustomActions);
        await Assert.ThrowsAsync<NotFoundException>(() => Catalog(c => c.AddResourceAsync(admin, Guid.NewGuid(), "ghosts", null, [])));
    }

    [Theory]
    [InlineData("Orders")]
    [InlineData("keys")]
    [InlineData("a b")]
    [InlineData("")]
    public async Task AddResource_BadName_IsRefused(string name)
    {
        var org = await app.NewOrganizationAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, name, null, [])));

        Assert.Contains("name", error.Errors.Keys);
    }

    private async Task<T> Catalog<T>(Func<AccessCatalog, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<AccessCatalog>());
    }
}

public sealed class SqliteAccessCatalogTests(SqliteApp app) : AccessCatalogTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAccessCatalogTests(PostgreSqlApp app) : AccessCatalogTests(app), IClassFixture<PostgreSqlApp>;
