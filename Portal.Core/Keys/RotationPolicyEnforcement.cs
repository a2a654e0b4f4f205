using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Keys;

/// <summary>
/// Enforces organizations' mandatory rotation interval: an active key whose current token is older
/// than the interval is expired (its owner was reminded 7 days and 1 day before by
/// <see cref="Notifications.KeyReminders"/>).
/// </summary>
public sealed class RotationPolicyEnforcement(IDbContextFactory<PortalDbContext> contexts, KeyChangeFeed changes, TimeProvider time) : IReconciliation
{
    public const string JobName = "enforce-rotation-policy";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var (organizationId, days) in await PolicyScopes.RotationIntervalsAsync(contexts, cancellationToken))
        {
            total += await KeyLifecycleBatch.RunAsync(
                contexts,
                changes,
                time,
                (db, now, ct) =>
                {
                    var issuedBefore = now.AddDays(-days);
                    return db.ApiKeys.Include(k => k.Secrets)
                        .Where(k => k.OrganizationId == organizationId && k.Status == KeyStatus.Active)
                        .Where(k => !k.Secrets.Any(s => s.RetiresAt == null && s.CreatedAt > issuedBefore))
                        .OrderBy(k => k.Id)
                        .Take(KeyLifecycleBatch.BatchSize)
                        .ToListAsync(ct);
                },
                (key, audit, now) =>
                {
                    key.Status = KeyStatus.Expired;
                    key.UpdatedAt = now;
                    audit.Record(JobRuns.System, AuditActions.KeyExpired, key.OrganizationId, "key", key.Id.ToString(), key.Name,
                        new { reason = "rotation_overdue", rotationIntervalDays = days });
                    return 1;
                },
                cancellationToken);
        }

        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int> { ["expiredNotRotated"] = total }, cancellationToken);
        return total;
    }
}
