using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Audit;

/// <summary>
/// The log's key picker (<see cref="AuthenticationLogQuery.KeysAsync"/>): the keys the caller may
/// see (an admin all of the organization's, a developer their own), by name or hint; and the names
/// a page of records is shown with.
/// </summary>
public sealed class AuthenticationLogKeyChoicesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Keys_AdminSeesAll_DeveloperOnlyTheirOwn()
    {
        var organization = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(organization, OrganizationRole.Developer);
        var ownerKey = await CreateAsync(organization.Owner, organization.Id, "orders reader");
        var developerKey = await CreateAsync(developer, organization.Id, "orders writer");

        var forOwner = await KeysAsync(organization.Owner, organization.Id, "orders");
        var forDeveloper = await KeysAsync(developer, organization.Id, "orders");

        Assert.Equal(["orders reader", "orders writer"], forOwner.Select(k => k.Name));
        Assert.Equal([developerKey.Key.Id], forDeveloper.Select(k => k.Id));
        Assert.Equal(ownerKey.Key.Hint, forOwner[0].Hint);
    }

    [Fact]
    public async Task Keys_ByHintPrefix_AndById()
    {
        var organization = await app.NewOrganizationAsync();
        var key = await CreateAsync(organization.Owner, organization.Id, "nightly export");

        var byHint = await KeysAsync(organization.Owner, organization.Id, key.Key.Hint[..12]);
        await using var scope = app.Scope();
        var byId = await scope.ServiceProvider.GetRequiredService<AuthenticationLogQuery>().KeysAsync(organization.Owner.Caller(), organization.Id, null, 1, key.Key.Id);

        Assert.Contains(byHint, k => k.Id == key.Key.Id);
        Assert.Equal("nightly export", Assert.Single(byId).Name);
    }

    [Theory]
    [InlineData("\u0000")]
    [InlineData("a name far longer than any key name can be, which is one hundred characters at most, so nothing matches")]
    public async Task Keys_SearchNoNameCanMatch_FindsNothingAndNeverFails(string search)
    {
        var organization = await app.NewOrganizationAsync();
        await CreateAsync(organization.Owner, organization.Id, "orders reader");

        Assert.Empty(await KeysAsync(organization.Owner, organization.Id, search));
    }

    [Fact]
    public async Task Keys_StrangerToTheOrganization_SeesNone()
    {
        var organization = await app.NewOrganizationAsync();
        await CreateAsync(organization.Owner, organization.Id, "orders reader");
        var stranger = await app.NewUserAsync();

        Assert.Empty(await KeysAsync(stranger, organization.Id, null));
    }

    [Fact]
    public async Task List_NamesEachRecordsKey()
    {
        var organization = await app.NewOrganizationAsync();
        var key = await CreateAsync(organization.Owner, organization.Id, "billing worker");
        await using var scope = app.Scope();
        await StoredLog.AddBatchAsync(scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>(),
            new AuthenticationLogEntry(app.Clock.GetUtcNow().AddMinutes(-1), key.Key.Id, organization.Id, organization.Owner.User.Id, key.Key.Hint, "VALID", Doors.Check, "GET", "/a", null, null, 4));

        var page = await scope.ServiceProvider.GetRequiredService<AuthenticationLogQuery>().ListAsync(organization.Owner.Caller(), new AuthenticationLogFilter(organization.Id));

        Assert.Equal("billing worker", Assert.Single(page.Items).KeyName);
    }

    private Task<IssuedKey> CreateAsync(TestUser owner, Guid organizationId, string name) =>
        app.CreateKeyAsync(owner, new CreateKeyCommand(name, Scopes: ["orders:read"], OrganizationId: organizationId));

    private async Task<IReadOnlyList<LogKeyChoice>> KeysAsync(TestUser caller, Guid organizationId, string? search)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<AuthenticationLogQuery>().KeysAsync(caller.Caller(), organizationId, search);
    }
}
