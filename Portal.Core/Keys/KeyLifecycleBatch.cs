using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Keys;

/// <summary>
/// The loop the lifecycle jobs share: read a batch of due keys, change and audit them, save, and
/// read again until none is due. A save that loses a race (another node, a user's edit) changes
/// nothing and the batch is simply read again, so no key is changed or audited twice.
/// </summary>
internal static class KeyLifecycleBatch
{
    public const int BatchSize = 500;

    /// <param name="select">The due keys (tracked, with their secrets) of one batch.</param>
    /// <param name="change">Changes one key and adds its audit record; returns how many things it changed.</param>
    public static async Task<int> RunAsync(
        IDbContextFactory<PortalDbContext> contexts,
        KeyChangeFeed changes,
        TimeProvider time,
        Func<PortalDbContext, DateTimeOffset, CancellationToken, Task<List<ApiKey>>> select,
        Func<ApiKey, AuditTrail, DateTimeOffset, int> change,
        CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var audit = new AuditTrail(db, time);
            var now = time.GetUtcNow();
            var due = await select(db, now, cancellationToken);
            if (due.Count == 0)
            {
                return total;
            }

            var changed = 0;
            foreach (var key in due)
            {
                changed += change(key, audit, now);
                key.ConcurrencyStamp = Guid.NewGuid();
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                continue;
            }

            foreach (var key in due)
            {
                changes.Publish(KeyChange.Of(key));
            }

            total += changed;
        }
    }
}
