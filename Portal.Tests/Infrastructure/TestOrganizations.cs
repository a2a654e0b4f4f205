using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;

namespace Portal.Tests.Infrastructure;

/// <summary>An enterprise organization with an owner, for tests of roles and policies.</summary>
public sealed record TestOrganization(Guid Id, TestUser Owner);

public static class TestOrganizations
{
    /// <summary>Creates an organization owned by a new user.</summary>
    public static async Task<TestOrganization> NewOrganizationAsync(this PortalApp app)
    {
        var owner = await app.NewUserAsync();
        await using var scope = app.Scope();
        var organization = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().CreateAsync(owner.Caller(), $"org {Guid.NewGuid():N}");
        return new TestOrganization(organization.Id, owner);
    }

    /// <summary>A new user who is a member of the organization with the role (added directly, as an accepted invitation would).</summary>
    public static async Task<TestUser> NewMemberAsync(this PortalApp app, TestOrganization organization, OrganizationRole role)
    {
        var user = await app.NewUserAsync();
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Memberships.Add(new Membership { OrganizationId = organization.Id, UserId = user.User.Id, Role = role, CreatedAt = app.Clock.GetUtcNow() });
        await db.SaveChangesAsync();
        return user;
    }

    /// <summary>
    /// A new user who joined the organization by invitation with the role; their client sends a
    /// keys:manage key of that organization, so API calls act there with that role.
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
            user.Caller(), new CreateKeyCommand("management " + Guid.NewGuid().ToString("N")[..6], Scopes: ManagementScopes(role), OrganizationId: organization.Id));
        return user with { OrganizationId = organization.Id, ManageToken = key.Token, Client = app.ClientWith(key.Token) };
    }

    /// <summary>
    /// What a member's management key holds: keys it creates must stay within it, so it holds what the
    /// role may give (admins everything, developers every read and write).
    /// </summary>
    private static string[] ManagementScopes(OrganizationRole role) =>
        role >= OrganizationRole.Admin ? [Scope.KeysManage, "*:*"] : [Scope.KeysManage, "*:read", "*:write"];

    /// <summary>A client whose key belongs to the organization (so it acts there) and holds the scopes.</summary>
    public static async Task<HttpClient> ClientInAsync(this PortalApp app, TestUser user, Guid organizationId, params string[] scopes)
    {
        await using var scope = app.Scope();
        var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            user.Caller(), new CreateKeyCommand($"api {Guid.NewGuid():N}", Scopes: scopes.Length == 0 ? [Scope.KeysManage, Scope.PoliciesManage] : scopes, OrganizationId: organizationId));
        return app.ClientWith(issued.Token);
    }

    public static async Task SetPolicyAsync(this PortalApp app, TestOrganization organization, PolicySettings settings)
    {
        await using var scope = app.Scope();
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<OrganizationPolicies>().UpdateAsync(organization.Owner.Caller(), organization.Id, settings));
    }

    /// <summary>Creates a key in the organization as the member.</summary>
    public static async Task<IssuedKey> CreateKeyInAsync(this PortalApp app, TestUser member, Guid organizationId, DateTimeOffset? expiresAt = null, KeyEnvironment environment = KeyEnvironment.Test)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            member.Caller(), new CreateKeyCommand($"key {Guid.NewGuid():N}", Environment: environment, Scopes: ["orders:read"], ExpiresAt: expiresAt, OrganizationId: organizationId));
    }

    public static async Task<ApiKey> ReadKeyAsync(this PortalApp app, Guid keyId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys.AsNoTracking().Include(k => k.Secrets).SingleAsync(k => k.Id == keyId);
    }

    /// <summary>Runs a reconciliation job as the scheduler would.</summary>
    public static Task<int> RunJobAsync<T>(this PortalApp app)
        where T : Portal.Core.IReconciliation =>
        app.Services.GetRequiredService<T>().RunAsync(CancellationToken.None);
}
