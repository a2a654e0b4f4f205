using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Permissions;

/// <summary>A set reaches its keys at once: a new version gives no key more than its owner's role may hold.</summary>
public abstract class PermissionSetHoldersTests(PortalApp app)
{
    [Fact]
    public async Task Update_AddingAnAdminActionToASetADevelopersKeyUses_IsRefused_AndWithoutThatKeyAllowed()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.NewMemberAsync(org, OrganizationRole.Developer);
        await using var scope = app.Scope();
        var sets = scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>();
        var keys = scope.ServiceProvider.GetRequiredService<KeyCatalog>();
        var set = await sets.CreateAsync(org.Owner.Caller(), org.Id, "readers", null, [new Grant("orders:read")]);
        var key = await keys.CreateAsync(developer.Caller(), new CreateKeyCommand("uses readers", PermissionSetIds: [set.Id], OrganizationId: org.Id));

        var refused = await Assert.ThrowsAsync<ConflictException>(() => sets.UpdateAsync(org.Owner.Caller(), set.Id, set.Version, "readers", null, [new Grant("orders:read"), new Grant("orders:admin")]));
        await keys.RevokeAsync(developer.Caller(), key.Key.Id);
        var updated = await sets.UpdateAsync(org.Owner.Caller(), set.Id, set.Version, "readers", null, [new Grant("orders:read"), new Grant("orders:admin")]);

        Assert.Equal("grants", refused.Field);
        Assert.Contains("developer", refused.Message);
        Assert.Equal(2, updated!.Version);
    }
}

public sealed class SqlitePermissionSetHoldersTests(SqliteApp app) : PermissionSetHoldersTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlPermissionSetHoldersTests(PostgreSqlApp app) : PermissionSetHoldersTests(app), IClassFixture<PostgreSqlApp>;
