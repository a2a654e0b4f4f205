using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Keys;

/// <summary>
/// Disables active keys that were not used for the organization's "disable unused keys after N
/// days" (counted from creation for a key never used). The validator answers DISABLED for them.
/// </summary>
public sealed class UnusedKeyDisabling(IDbContextFactory<PortalDbContext> contexts, KeyChangeFeed changes, TimeProvider time) : IReconciliation
{
    public const string JobName = "disable-unused-keys";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var (organizationId, days) in await PolicyScopes.UnusedLimitsAsync(contexts, cancellationToken))
        {
            total += await KeyLifecycleBatch.RunAsync(
                contexts,
                changes,
                time,
                (db, now, ct) =>
                {
                    var cutoff = now.AddDays(-days);
                    return db.ApiKeys.Include(k => k.Secrets)
                        .Where(k => k.OrganizationId == organizationId && k.Status == KeyStatus.Active)
                        .Where(k => k.LastUsedAt <= cutoff || (k.LastUsedAt == null && k.CreatedAt <= cutoff))
                        .OrderBy(k => k.Id)
                        .Take(KeyLifecycleBatch.BatchSize)
                        .ToListAsync(ct);
                },
                (key, audit, now) =>
                {
                    key.Status = KeyStatus.Disabled;
                    key.UpdatedAt = now;
                    audit.Record(JobRuns.System, AuditActions.KeyDisabled, key.OrganizationId, "key", key.Id.ToString(), key.Name,
                        new { reason = "unused", unusedDays = days, key.LastUsedAt });
                    return 1;
                },
                cancellationToken);
        }

        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int> { ["disabledUnused"] = total }, cancellationToken);
        return total;
    }
}
