using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Keys;

/// <summary>
/// Ends rotation grace periods: a rotated-out token whose retirement time has passed is marked
/// retired and audited, once. The validator already refuses it by time; this records the end and
/// drops the old token from every cache on this node.
/// </summary>
public sealed class RotationGraceEnd(IDbContextFactory<PortalDbContext> contexts, KeyChangeFeed changes, TimeProvider time) : IReconciliation
{
    public const string JobName = "end-rotation-grace";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var retired = await KeyLifecycleBatch.RunAsync(
            contexts,
            changes,
            time,
            (db, now, ct) => db.ApiKeys.Include(k => k.Secrets)
                .Where(k => k.Secrets.Any(s => s.RetiresAt <= now && s.RetiredAt == null))
                .OrderBy(k => k.Id)
                .Take(KeyLifecycleBatch.BatchSize)
                .ToListAsync(ct),
            (key, audit, now) =>
            {
                var ended = key.Secrets.Where(s => s.RetiresAt <= now && s.RetiredAt == null).ToList();
                foreach (var secret in ended)
                {
                    secret.RetiredAt = now;
                    audit.Record(JobRuns.System, AuditActions.KeyGraceEnded, key.OrganizationId, "key", key.Id.ToString(), key.Name,
                        new { oldHint = secret.Hint, secret.RetiresAt });
                }

                return ended.Count;
            },
            cancellationToken);
        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int> { ["tokensRetired"] = retired }, cancellationToken);
        return retired;
    }
}
