using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Organizations;

/// <summary>Answers which organizations a caller may see and with which role.</summary>
public sealed class OrganizationAccess(PortalDbContext db)
{
    /// <summary>The caller's role in the organization, or null when they may not see it at all.</summary>
    public async Task<OrganizationRole?> RoleAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (caller.OrganizationId is { } only && only != organizationId)
        {
            return null;
        }

        var membership = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId && m.UserId == caller.UserId)
            .Select(m => (OrganizationRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);
        return membership;
    }

    /// <summary>Whether the caller is a platform administrator (signed in, not acting through an organization's key).</summary>
    public async Task<bool> IsPlatformAdministratorAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        if (caller.OrganizationId is not null)
        {
            return false;
        }

        return await db.UserRoles.AnyAsync(
            ur => ur.UserId == caller.UserId && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == PlatformRoles.Administrator),
            cancellationToken);
    }

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
