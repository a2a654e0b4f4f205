using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;

namespace Portal.Core.Permissions;

/// <summary>
/// The backstop behind offboarding: finds keys that are still usable although their owner is no
/// longer a member of the key's organization, or holds a role that may hold no keys (a key created in
/// the instant its owner was removed, or data from before these rules), and applies the same plan a
/// removal or demotion applies (<see cref="MemberOffboarding"/>). At most <see cref="BatchSize"/>
/// holders per run; the next run takes the rest.
/// </summary>
public sealed class KeyHolderReconciliation(PortalDbContext db, MemberOffboarding offboarding) : IReconciliation
{
    public const string JobName = "revoke-orphaned-keys";

    public const int BatchSize = 100;

    private static readonly Caller Job = new(Guid.Empty, "key holder reconciliation", Channels.Job);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // The roles that may hold keys, from the one rule, so the query cannot disagree with it.
        var holdingRoles = Enum.GetValues<OrganizationRole>().Where(RoleRules.MayHoldKeys).ToList();
        var holders = await db.ApiKeys.AsNoTracking()
            .Where(k => (k.Status == KeyStatus.Active || k.Status == KeyStatus.Disabled || k.Status == KeyStatus.Suspended)
                && !db.Memberships.Any(m => m.OrganizationId == k.OrganizationId && m.UserId == k.OwnerId && holdingRoles.Contains(m.Role)))
            .Select(k => new { k.OrganizationId, k.OwnerId })
            .Distinct()
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var holder in holders)
        {
            changed += await offboarding.ReconcileHolderAsync(Job, holder.OrganizationId, holder.OwnerId, cancellationToken);
        }

        return changed;
    }
}
