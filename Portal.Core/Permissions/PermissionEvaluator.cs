using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Permissions;

/// <summary>
/// The "who may" room: answers whether a caller (a signed-in member, a key, the command line, a job)
/// may do an action in an organization, reading the caller's current role from the database (so a
/// removed or demoted member stops at once) and deciding with <see cref="PermissionRules"/>. Every
/// service, page, endpoint and job asks here; none re-implements a role rule. Nothing is cached:
/// a portal circuit lives for hours, and a role it read at sign-in must not outlive a removal.
/// </summary>
public sealed class PermissionEvaluator(PortalDbContext db, TimeProvider time)
{

    /// <summary>
    /// The caller's standing in the organization: their role (null when not a member, or when a key
    /// of another organization asks) and whether they are a platform administrator.
    /// </summary>
    public async Task<CallerStanding> StandingAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        OrganizationRole? role = null;
        if (caller.OrganizationId is null || caller.OrganizationId == organizationId)
        {
            role = await MemberRoleAsync(caller.UserId, organizationId, cancellationToken);
        }

        // A platform administrator who is also a member keeps their platform powers above a low role.
        var platform = role is not >= OrganizationRole.Admin && await IsPlatformAdministratorAsync(caller, cancellationToken)
            && await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken);
        return new CallerStanding(role, platform);
    }

    /// <summary>A member's current role in the organization, or null when they are not a member (for what a key they own may hold).</summary>
    public Task<OrganizationRole?> MemberRoleAsync(Guid userId, Guid organizationId, CancellationToken cancellationToken = default) =>
        db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.UserId == userId)
            .Select(m => (OrganizationRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Decides <paramref name="action"/> for the caller in the organization; <paramref name="objectOwnerId"/>
    /// is the owner of the key the action is about, when it is about one.
    /// </summary>
    public async Task<Permission> DecideAsync(Caller caller, PortalAction action, Guid organizationId, Guid? objectOwnerId = null, CancellationToken cancellationToken = default)
    {
        if (action == PortalAction.AdministerPlatform)
        {
            return await IsPlatformAdministratorAsync(caller, cancellationToken) ? Permission.Allow : new Permission(PermissionOutcome.Hidden, "Only platform administrators can do this.");
        }

        var standing = await StandingAsync(caller, organizationId, cancellationToken);
        return PermissionRules.Decide(caller, standing, action, objectOwnerId, time.GetUtcNow());
    }

    /// <summary>Whether the caller may; throws <see cref="NotFoundException"/> when hidden and <see cref="AccessDeniedException"/> when denied.</summary>
    public async Task<CallerStanding> RequireAsync(Caller caller, PortalAction action, Guid organizationId, Guid? objectOwnerId = null, string field = "organizationId", CancellationToken cancellationToken = default)
    {
        var standing = await StandingAsync(caller, organizationId, cancellationToken);
        PermissionRules.Decide(caller, standing, action, objectOwnerId, time.GetUtcNow()).ThrowIfRefused(field);
        return standing;
    }

    /// <summary>
    /// For services that answer "not found" with null: false when the caller may not see the
    /// organization or object, true when allowed; throws <see cref="AccessDeniedException"/> when they
    /// see it but may not do this.
    /// </summary>
    public async Task<bool> CheckAsync(Caller caller, PortalAction action, Guid organizationId, Guid? objectOwnerId = null, CancellationToken cancellationToken = default)
    {
        var permission = await DecideAsync(caller, action, organizationId, objectOwnerId, cancellationToken);
        if (permission.Outcome == PermissionOutcome.Hidden)
        {
            return false;
        }

        permission.ThrowIfRefused();
        return true;
    }

    /// <summary>Whether the caller may do <paramref name="action"/> (a yes/no for reads that answer "nothing" instead of an error).</summary>
    public async Task<bool> MayAsync(Caller caller, PortalAction action, Guid organizationId, Guid? objectOwnerId = null, CancellationToken cancellationToken = default) =>
        (await DecideAsync(caller, action, organizationId, objectOwnerId, cancellationToken)).IsAllowed;

    /// <summary>
    /// Which keys of the organization the caller may see: <see cref="KeyView.All"/>, only their own
    /// (<see cref="KeyView.Own"/>), or none (<see cref="KeyView.None"/>, when they may not see the organization's keys at all).
    /// </summary>
    public async Task<KeyView> KeyViewAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        // Guid.Empty owns nothing: "another member's key".
        if (await MayAsync(caller, PortalAction.ViewKey, organizationId, Guid.Empty, cancellationToken))
        {
            return KeyView.All;
        }

        return await MayAsync(caller, PortalAction.ViewKey, organizationId, caller.UserId, cancellationToken) ? KeyView.Own : KeyView.None;
    }

    /// <summary>
    /// Read from the database, not from the sign-in cookie, so a revoked role stops at once. A caller
    /// bound to one organization (an API key) is never a platform administrator.
    /// </summary>
    public async Task<bool> IsPlatformAdministratorAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        if (caller.OrganizationId is not null || caller.Key is not null)
        {
            return false;
        }

        return await db.UserRoles.AnyAsync(
            ur => ur.UserId == caller.UserId && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == PlatformRoles.Administrator),
            cancellationToken);
    }
}

/// <summary>Which keys of an organization a caller may see.</summary>
public enum KeyView
{
    /// <summary>None: not a member (or a key without a key scope).</summary>
    None,

    /// <summary>Only the keys the caller owns.</summary>
    Own,

    /// <summary>Every key of the organization.</summary>
    All,
}
