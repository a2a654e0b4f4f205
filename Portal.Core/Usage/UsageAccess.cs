using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Usage;

/// <summary>
/// Decides which usage a caller may see. Usage follows the authentication log's rule, because the
/// charts show the log's paths, client addresses and latencies: an organization's admins and owners
/// see all its keys, developers and viewers only the keys they own; the platform view is for
/// platform administrators signed in to the portal. Anything else is "not found".
/// </summary>
public sealed class UsageAccess(PortalDbContext db, OrganizationAccess organizations)
{
    /// <summary>The view the caller may have of <paramref name="scope"/>, or null when they may not see it.</summary>
    public async Task<UsageView?> ResolveAsync(Caller caller, UsageScope scope, CancellationToken cancellationToken = default)
    {
        switch (scope.Kind)
        {
            case UsageScopeKind.Platform:
                return await IsPlatformAdministratorAsync(caller, cancellationToken) ? new UsageView(scope, null) : null;
            case UsageScopeKind.Organization:
                var role = await organizations.RoleAsync(caller, scope.OrganizationId, cancellationToken);
                return role switch
                {
                    null => null,
                    >= OrganizationRole.Admin => new UsageView(scope, null),
                    _ => new UsageView(scope, caller.UserId),
                };
            default:
                var key = await db.ApiKeys.AsNoTracking()
                    .Where(k => k.Id == scope.KeyId && k.OrganizationId == scope.OrganizationId)
                    .Select(k => new { k.OwnerId })
                    .FirstOrDefaultAsync(cancellationToken);
                if (key is null)
                {
                    return null;
                }

                var keyRole = await organizations.RoleAsync(caller, scope.OrganizationId, cancellationToken);
                return keyRole >= OrganizationRole.Admin || (keyRole is not null && key.OwnerId == caller.UserId)
                    ? new UsageView(scope, null)
                    : null;
        }
    }

    /// <summary>
    /// Read from the database, not from the sign-in cookie, so a revoked role stops at once. A caller
    /// bound to one organization (an API key) is never a platform administrator.
    /// </summary>
    public async Task<bool> IsPlatformAdministratorAsync(Caller caller, CancellationToken cancellationToken = default) =>
        caller.OrganizationId is null &&
        await db.UserRoles.AnyAsync(
            ur => ur.UserId == caller.UserId && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == PlatformRoles.Administrator),
            cancellationToken);
}
