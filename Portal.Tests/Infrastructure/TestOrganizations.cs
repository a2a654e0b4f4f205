using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Keys;
using Portal.Core.Organizations;

namespace Portal.Tests.Infrastructure;

/// <summary>An enterprise organization with its owner, for tests of roles.</summary>
public sealed record TestOrganization(Guid Id, TestUser Owner);

public static class TestOrganizations
{
    public static async Task<TestOrganization> NewOrganizationAsync(this PortalApp app)
    {
        var owner = await app.NewUserAsync();
        await using var scope = app.Scope();
        var organization = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
            .CreateAsync(owner.Caller(), "Acme " + Guid.NewGuid().ToString("N")[..6]);
        return new TestOrganization(organization.Id, owner);
    }

    /// <summary>
    /// A new user who joined the organization with the role; their client sends a keys:manage key
    /// of that organization, so API calls act there with that role.
    /// </summary>
    public static async Task<TestUser> JoinAsync(this PortalApp app, TestOrganization organization, OrganizationRole role)
    {
        var user = await app.NewUserAsync();
        await using var scope = app.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<OrganizationDirectory>();
        var invitation = await directory.InviteAsync(organization.Owner.Caller(), organization.Id, user.User.Email, role);
        await directory.AcceptAsync(user.Caller(), invitation!.Token);
        if (role == OrganizationRole.Viewer)
        {
            return user with { OrganizationId = organization.Id };
        }

        var key = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            user.Caller(), new CreateKeyCommand("management " + Guid.NewGuid().ToString("N")[..6], Scopes: [Portal.Core.Access.Scope.KeysManage], OrganizationId: organization.Id));
        return user with { OrganizationId = organization.Id, ManageToken = key.Token, Client = app.ClientWith(key.Token) };
    }
}
