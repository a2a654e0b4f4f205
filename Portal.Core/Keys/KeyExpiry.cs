using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Keys;

/// <summary>
/// Marks active keys whose expiry has passed as expired and audits each, once. The validator
/// already refuses them by time; this makes the stored status and the audit trail say so too.
/// A reconciliation of database state: safe to run twice or on several nodes at once, and a key
/// whose expiry passed while the app was down is expired by the next run.
/// </summary>
public sealed class KeyExpiry(IDbContextFactory<PortalDbContext> contexts, KeyChangeFeed changes, TimeProvider time) : IReconciliation
{
    public const string JobName = "expire-keys";
    /// <summary>Expires every key that is due; returns how many this call expired.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var total = await KeyLifecycleBatch.RunAsync(
            contexts,
            changes,
            time,
            (db, now, ct) => db.ApiKeys.Include(k => k.Secrets)
                .Where(k => k.Status == KeyStatus.Active && k.ExpiresAt <= now)
                .OrderBy(k => k.ExpiresAt)
                .Take(KeyLifecycleBatch.BatchSize)
                .ToListAsync(ct),
            (key, audit, now) =>
            {
                key.Status = KeyStatus.Expired;
                key.UpdatedAt = now;
                audit.Record(JobRuns.System, AuditActions.KeyExpired, key.OrganizationId, "key", key.Id.ToString(), key.Name, new { key.ExpiresAt });
                return 1;
            },
            cancellationToken);
        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int> { ["expired"] = total }, cancellationToken);
        return total;
    }
}
