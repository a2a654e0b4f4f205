using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Apis;

/// <summary>
/// What an API and its rules refuse: names that could pass for another, descriptions a database
/// would choke on, rules that could never match, and keys limited to an API that refuses them.
/// </summary>
public sealed class ApiCatalogInputTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData("\u202eevil", "name")]
    [InlineData("shop\u200b", "name")]
    [InlineData("\ufeffshop", "name")]
    [InlineData("a\u0000b", "name")]
    public async Task Create_NameWithHiddenCharacters_IsRefused(string name, string field)
    {
        var owner = await app.NewUserAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => CatalogAsync(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft(name))));

        Assert.Contains(field, error.Errors.Keys);
    }

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("a\u202eb")]
    [InlineData("bell\u0007")]
    public async Task Create_DescriptionWithControlCharacters_IsRefused(string description)
    {
        var owner = await app.NewUserAsync();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => CatalogAsync(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft("shop", description))));

        Assert.Contains("description", error.Errors.Keys);
    }

    [Theory]
    [InlineData("SHOP")]
    [InlineData("\uff53hop")]
    public async Task Create_NameAPersonReadsAsAnExistingOne_Conflicts(string name)
    {
        var owner = await app.NewUserAsync();
        await CatalogAsync(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft("shop")));

        var error = await Assert.ThrowsAsync<ConflictException>(() => CatalogAsync(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft(name))));

        Assert.Equal("name", error.Field);
    }

    [Fact]
    public async Task Create_DescriptionWithLineBreaks_IsKept()
    {
        var owner = await app.NewUserAsync();

        var api = await CatalogAsync(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft("shop", "line one\nline two\tend")));

        Assert.Equal("line one\nline two\tend", api.Description);
    }

    [Theory]
    [InlineData("HEAD", "/orders/{id}", "method")]
    [InlineData("GET", "/orders;v=1/{id}", "pathTemplate")]
    [InlineData("GET", "/orders/%41", "pathTemplate")]
    [InlineData("GET", "/v1./orders", "pathTemplate")]
    [InlineData("GET", "/orders/..", "pathTemplate")]
    public async Task AddRule_ThatCouldNeverMatch_IsRefused(string method, string template, string field)
    {
        var owner = await app.NewUserAsync();
        var api = await app.ApiAsync(owner);

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => CatalogAsync(c => c.AddRuleAsync(owner.Caller(), api.Id, method, template, "orders:read")));

        Assert.Contains(field, error.Errors.Keys);
    }

    [Fact]
    public async Task AddRule_DifferingOnlyInCase_ClashesUnlessTheApiMatchesExactCase()
    {
        var owner = await app.NewUserAsync();
        var api = await app.ApiAsync(owner);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");

        var clash = await Assert.ThrowsAsync<ConflictException>(() => CatalogAsync(c => c.AddRuleAsync(owner.Caller(), api.Id, "GET", "/Orders/{id}", "orders:admin")));
        Assert.Equal("pathTemplate", clash.Field);

        await CatalogAsync(c => c.UpdateAsync(owner.Caller(), api.Id, new ApiChanges(CaseSensitivePaths: true)));
        Assert.NotNull(await CatalogAsync(c => c.AddRuleAsync(owner.Caller(), api.Id, "GET", "/Orders/{id}", "orders:admin")));

        var back = await Assert.ThrowsAsync<ConflictException>(() => CatalogAsync(c => c.UpdateAsync(owner.Caller(), api.Id, new ApiChanges(CaseSensitivePaths: false))));
        Assert.Equal("caseSensitivePaths", back.Field);
    }

    [Fact]
    public async Task KeyLimitedToAnApiRefusingItsEnvironment_IsRefused()
    {
        var owner = await app.NewUserAsync();
        var live = await CatalogAsync(c => c.CreateAsync(owner.Caller(), owner.OrganizationId, new ApiDraft("live only")));

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => app.CreateKeyAsync(owner, new CreateKeyCommand("test key", Environment: KeyEnvironment.Test, Scopes: ["orders:read"], ApiIds: [live.Id])));

        Assert.Contains("apiIds", error.Errors.Keys);
        Assert.Contains("does not accept test keys", error.Errors["apiIds"][0]);
    }

    private async Task<T> CatalogAsync<T>(Func<ApiCatalog, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<ApiCatalog>());
    }
}
