using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Access;

public abstract class PermissionSetCatalogTests(PortalApp app)
{
    [Fact]
    public async Task Update_KeepsVersions_AndCompareShowsAddedAndRemoved()
    {
        var org = await app.NewOrganizationAsync();
        var set = await Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Support", "reads orders", [new Grant("orders:read"), new Grant("invoices:read")]));

        var updated = await Sets(s => s.UpdateAsync(org.Owner.Caller(), set.Id, 1, "Support", null, [new Grant("orders:read"), new Grant("orders:refund", ["order/eu-*"])]));
        var diff = await Sets(s => s.CompareAsync(org.Owner.Caller(), set.Id, 1, 2));
        var versions = await Sets(s => s.VersionsAsync(org.Owner.Caller(), set.Id));

        Assert.Equal(2, updated!.Version);
        Assert.Equal([2, 1], versions!.Select(v => v.Version));
        Assert.Equal("orders:refund", Assert.Single(diff!.Added).Scope);
        Assert.Equal("invoices:read", Assert.Single(diff.Removed).Scope);
        Assert.Equal("orders:read", Assert.Single(diff.Kept).Scope);
    }

    [Fact]
    public async Task Update_StaleVersion_IsRefusedAsConflict()
    {
        var org = await app.NewOrganizationAsync();
        var set = await Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Readers", null, [new Grant("orders:read")]));
        await Sets(s => s.UpdateAsync(org.Owner.Caller(), set.Id, 1, "Readers", null, [new Grant("orders:write")]));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Sets(s => s.UpdateAsync(org.Owner.Caller(), set.Id, 1, "Readers", null, [new Grant("orders:admin")])));

        Assert.Equal("version", error.Field);
    }

    [Fact]
    public async Task EditingASet_ReachesItsKeysAtOnce()
    {
        var org = await app.NewOrganizationAsync();
        var set = await Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Writers", null, [new Grant("orders:read")]));
        var issued = await CreateKeyAsync(org.Owner, org.Id, [set.Id]);
        Assert.Equal(ReasonCodes.InsufficientScope, await ValidateAsync(issued.Token, "orders:write"));

        await Sets(s => s.UpdateAsync(org.Owner.Caller(), set.Id, 1, "Writers", null, [new Grant("orders:write")]));

        Assert.Equal(ReasonCodes.Valid, await ValidateAsync(issued.Token, "orders:write"));
    }

    [Fact]
    public async Task Delete_SetInUse_IsRefused_UntilItsKeysAreReassigned()
    {
        var org = await app.NewOrganizationAsync();
        var set = await Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Used", null, [new Grant("orders:read")]));
        var issued = await CreateKeyAsync(org.Owner, org.Id, [set.Id]);

        var error = await Assert.ThrowsAsync<ConflictException>(() => Sets(s => s.DeleteAsync(org.Owner.Caller(), set.Id)));
        Assert.Contains("1 key", error.Message);
        Assert.Equal(issued.Key.Id, Assert.Single((await Sets(s => s.KeysAsync(org.Owner.Caller(), set.Id)))!).Id);

        await Keys(k => k.UpdateAsync(org.Owner.Caller(), issued.Key.Id, new UpdateKeyCommand(Scopes: ["orders:read"], PermissionSetIds: [])));
        Assert.True(await Sets(s => s.DeleteAsync(org.Owner.Caller(), set.Id)));
    }

    [Fact]
    public async Task ExportThenImport_IntoAnotherOrganization_RecreatesTheSet()
    {
        var source = await app.NewOrganizationAsync();
        var target = await app.NewOrganizationAsync();
        var window = new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "fri"], "08:00", "18:00")]);
        var set = await Sets(s => s.CreateAsync(source.Owner.Caller(), source.Id, "Portable", "travels", [new Grant("assets:read", ["asset/eu-*"], window)]));

        var json = await Sets(s => s.ExportAsync(source.Owner.Caller(), set.Id));
        var imported = await Sets(s => s.ImportAsync(target.Owner.Caller(), target.Id, json));

        Assert.Equal("Portable", imported.Name);
        Assert.Equal(target.Id, imported.OrganizationId);
        Assert.Equal(set.Grants, imported.Grants, (a, b) => a.Scope == b.Scope && a.Resources!.SequenceEqual(b.Resources!) && a.Schedule!.TimeZone == b.Schedule!.TimeZone);
    }

    [Theory]
    [InlineData("not json", "file")]
    [InlineData("{\"format\":\"something/v9\",\"name\":\"x\",\"grants\":[]}", "format")]
    [InlineData("{\"format\":\"portal.permission-set/v1\",\"name\":\"x\",\"grants\":[{\"scope\":\"ORDERS\"}]}", "grants[0].scope")]
    [InlineData("{\"format\":\"portal.permission-set/v1\",\"name\":\"x\",\"grants\":[{\"scope\":\"ghosts:read\"}]}", "grants[0].scope")]
    [InlineData("{\"format\":\"portal.permission-set/v1\",\"name\":\"x\",\"grants\":[{\"scope\":\"orders:read\",\"resources\":[\"no slash\"]}]}", "grants[0].resources[0]")]
    [InlineData("{\"format\":\"portal.permission-set/v1\",\"name\":\"x\",\"grants\":[{\"scope\":\"orders:read\",\"schedule\":{\"timeZone\":\"Nowhere/Land\"}}]}", "grants[0].schedule.timeZone")]
    [InlineData("{\"format\":\"portal.permission-set/v1\",\"name\":\"x\",\"grants\":[],\"extra\":1}", "file")]
    [InlineData("{\"format\":\"portal.permission-set/v1\",\"name\":\"\",\"grants\":[{\"scope\":\"orders:read\"}]}", "name")]
    public async Task Import_BadFile_NamesWhatIsWrong_AndSavesNothing(string json, string field)
    {
        var org = await app.NewOrganizationAsync();
        await Catalog(c => c.AddResourceAsync(org.Owner.Caller(), org.Id, "orders", null, []));

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Sets(s => s.ImportAsync(org.Owner.Caller(), org.Id, json)));

        Assert.Contains(field, error.Errors.Keys);
        Assert.Empty((await Sets(s => s.ListAsync(org.Owner.Caller(), org.Id)))!);
    }

    [Fact]
    public async Task Developer_CannotBuildSets_NorAssignAnAdministrativeOne_ButMayAssignOthers()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var powerful = await Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Order admins", null, [new Grant("orders:admin")]));
        var plain = await Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Order readers", null, [new Grant("orders:read")]));

        await Assert.ThrowsAsync<AccessDeniedException>(() => Sets(s => s.CreateAsync(developer.Caller(), org.Id, "Mine", null, [new Grant("orders:read")])));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Sets(s => s.UpdateAsync(developer.Caller(), plain.Id, 1, "Order readers", null, [new Grant("orders:admin")])));
        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => CreateKeyAsync(developer, org.Id, [powerful.Id]));
        Assert.Contains("Order admins", refused.Errors["permissionSets"][0]);
        var allowed = await CreateKeyAsync(developer, org.Id, [plain.Id]);
        Assert.Equal("Order readers", Assert.Single(allowed.Key.PermissionSets).Name);
    }

    [Fact]
    public async Task OtherTenant_SeesNothing_AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var stranger = await app.NewUserAsync();
        var set = await Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Private", null, [new Grant("orders:read")]));

        Assert.Null(await Sets(s => s.FindAsync(stranger.Caller(), set.Id)));
        Assert.Null(await Sets(s => s.ListAsync(stranger.Caller(), org.Id)));
        Assert.Null(await Sets(s => s.UpdateAsync(stranger.Caller(), set.Id, 1, "Mine", null, [new Grant("orders:admin")])));
        Assert.False(await Sets(s => s.DeleteAsync(stranger.Caller(), set.Id)));
        await Assert.ThrowsAsync<NotFoundException>(() => Sets(s => s.CreateAsync(stranger.Caller(), org.Id, "Sneaky", null, [new Grant("orders:read")])));
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => CreateKeyAsync(stranger, stranger.OrganizationId, [set.Id]));
        Assert.Contains("permissionSets", error.Errors.Keys);
    }

    [Fact]
    public async Task Create_DuplicateGrantOrEmpty_IsRefused()
    {
        var org = await app.NewOrganizationAsync();

        var empty = await Assert.ThrowsAsync<InvalidRequestException>(() => Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Empty", null, [])));
        var twice = await Assert.ThrowsAsync<InvalidRequestException>(() => Sets(s => s.CreateAsync(org.Owner.Caller(), org.Id, "Twice", null, [new Grant("orders:read"), new Grant("orders:read")])));

        Assert.Contains("grants", empty.Errors.Keys);
        Assert.Contains("grants", twice.Errors.Keys);
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().PermissionSets.AnyAsync(p => p.OrganizationId == org.Id));
    }

    private async Task<IssuedKey> CreateKeyAsync(TestUser user, Guid organizationId, IReadOnlyList<Guid> sets) =>
        await Keys(k => k.CreateAsync(user.Caller(), new CreateKeyCommand("k " + Guid.NewGuid().ToString("N")[..8], OrganizationId: organizationId, PermissionSetIds: sets)));

    private async Task<string> ValidateAsync(string token, string scope) =>
        (await app.Services.GetRequiredService<KeyValidator>().ValidateAsync(token, new RequestContext(scope))).Code;

    private async Task<T> Sets<T>(Func<PermissionSetCatalog, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>());
    }

    private async Task<T> Catalog<T>(Func<AccessCatalog, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<AccessCatalog>());
    }

    private async Task<T> Keys<T>(Func<KeyCatalog, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<KeyCatalog>());
    }
}

public sealed class SqlitePermissionSetCatalogTests(SqliteApp app) : PermissionSetCatalogTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlPermissionSetCatalogTests(PostgreSqlApp app) : PermissionSetCatalogTests(app), IClassFixture<PostgreSqlApp>;
