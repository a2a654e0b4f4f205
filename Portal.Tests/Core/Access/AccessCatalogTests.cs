using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Access;

public abstract class AccessCatalogTests(PortalApp app)
{
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
        await Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "orders", null, ["refund"]));

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Catalog(c => c.AddRuleAsync(org.Owner.Caller(), org.Id, method, template, scope)));

        Assert.Contains(field, error.Errors.Keys);
        Assert.Empty((await Catalog(c => c.RulesAsync(org.Owner.Caller(), org.Id)))!.Rules);
    }

    [Fact]
    public async Task AddRule_SameMethodAndShape_IsAConflict_OtherMethodIsNot()
    {
        var org = await app.NewOrganizationAsync();
        await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), org.Id, "GET", "/orders/{id}", "orders:read"));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Catalog(c => c.AddRuleAsync(org.Owner.Caller(), org.Id, "get", "/orders/{orderId}/", "orders:write")));
        await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), org.Id, "DELETE", "/orders/{id}", "orders:admin"));

        Assert.Contains("orders:read", error.Message);
        Assert.Equal(2, (await Catalog(c => c.RulesAsync(org.Owner.Caller(), org.Id)))!.Rules.Count);
    }

    [Fact]
    public async Task Developer_ReadsButCannotChange_StrangerSeesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var stranger = await app.NewUserAsync();

        Assert.NotNull(await Catalog(c => c.RulesAsync(developer.Caller(), org.Id)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.AddRuleAsync(developer.Caller(), org.Id, "GET", "/x", "x:read")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(c => c.AddResourceAsync(developer.Caller(), org.Id, "x", null, [])));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Catalog(async c => { await c.SetAllowUnmatchedAsync(developer.Caller(), org.Id, true); return 0; }));
        Assert.Null(await Catalog(c => c.RulesAsync(stranger.Caller(), org.Id)));
        Assert.Null(await Catalog(c => c.ResourcesAsync(stranger.Caller(), org.Id)));
        await Assert.ThrowsAsync<NotFoundException>(() => Catalog(c => c.AddRuleAsync(stranger.Caller(), org.Id, "GET", "/x", "x:read")));
    }

    [Fact]
    public async Task DeleteResource_InUseByARuleOrSet_IsRefused()
    {
        var org = await app.NewOrganizationAsync();
        var orders = await Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "orders", null, ["refund"]));
        var invoices = await Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "invoices", null, []));
        await Catalog(c => c.AddRuleAsync(org.Owner.Caller(), org.Id, "POST", "/orders/{id}/refund", "orders:refund"));
        await using (var scope = app.Scope())
        {
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

        await Catalog(c => c.AddResourceAsync(admin, org.Id, "orders", null, []));
        await Catalog(c => c.AddRuleAsync(admin, org.Id, "GET", "/orders", "orders:read"));

        Assert.Equal("orders", Assert.Single((await Catalog(c => c.ResourcesAsync(admin, org.Id)))!).Name);
        Assert.Single((await Catalog(c => c.RulesAsync(org.Owner.Caller(), org.Id)))!.Rules);
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
