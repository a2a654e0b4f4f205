using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Keys;

/// <summary>The organizations a policy job has work in: those that set the rule it enforces.</summary>
internal static class PolicyScopes
{
    public static async Task<List<(Guid OrganizationId, int Days)>> RotationIntervalsAsync(IDbContextFactory<PortalDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.OrganizationPolicies.AsNoTracking()
            .Where(p => p.RotationIntervalDays != null)
            .Select(p => new { p.OrganizationId, Days = p.RotationIntervalDays!.Value })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.OrganizationId, r.Days))];
    }

    public static async Task<List<(Guid OrganizationId, int Days)>> UnusedLimitsAsync(IDbContextFactory<PortalDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.OrganizationPolicies.AsNoTracking()
            .Where(p => p.DisableUnusedAfterDays != null)
            .Select(p => new { p.OrganizationId, Days = p.DisableUnusedAfterDays!.Value })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.OrganizationId, r.Days))];
    }
}
