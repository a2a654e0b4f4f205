using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Organizations;

/// <summary>
/// Which organization a caller acts in when a request names none. Whether they may act there is the
/// "who may" room's question (<see cref="Permissions.PermissionEvaluator"/>).
/// </summary>
public sealed class OrganizationAccess(PortalDbContext db)
{
    /// <summary>The organization a caller acts in when none is named: the key's, else the personal one.</summary>
    public async Task<Guid> DefaultOrganizationAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        if (caller.OrganizationId is { } only)
        {
            return only;
        }

        return await db.Users.AsNoTracking()
            .Where(u => u.Id == caller.UserId)
            .Select(u => u.PersonalOrganizationId)
            .FirstAsync(cancellationToken);
    }
}
