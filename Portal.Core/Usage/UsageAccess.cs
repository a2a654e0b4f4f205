using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Permissions;

namespace Portal.Core.Usage;

/// <summary>
/// Which usage a caller may see: exactly the keys the "who may" room lets them see
/// (<see cref="PortalAction.ViewKey"/>), because the charts show the authentication log's paths,
/// client addresses and latencies; the platform view is for platform administrators signed in to the
/// portal. Anything else is "not found".
/// </summary>
public sealed class UsageAccess(PortalDbContext db, PermissionEvaluator permissions)
{
    /// <summary>The view the caller may have of <paramref name="scope"/>, or null when they may not see it.</summary>
    public async Task<UsageView?> ResolveAsync(Caller caller, UsageScope scope, CancellationToken cancellationToken = default)
    {
        switch (scope.Kind)
        {
            case UsageScopeKind.Platform:
                return await permissions.IsPlatformAdministratorAsync(caller, cancellationToken) ? new UsageView(scope, null) : null;
            case UsageScopeKind.Organization:
                return await permissions.KeyViewAsync(caller, scope.OrganizationId, cancellationToken) switch
                {
                    KeyView.All => new UsageView(scope, null),
                    KeyView.Own => new UsageView(scope, caller.UserId),
                    _ => null,
                };
            default:
                var key = await db.ApiKeys.AsNoTracking()
                    .Where(k => k.Id == scope.KeyId && k.OrganizationId == scope.OrganizationId)
                    .Select(k => new { k.OwnerId })
                    .FirstOrDefaultAsync(cancellationToken);
                return key is not null && await permissions.MayAsync(caller, PortalAction.ViewKey, scope.OrganizationId, key.OwnerId, cancellationToken)
                    ? new UsageView(scope, null)
                    : null;
        }
    }
}
