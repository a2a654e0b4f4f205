using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Audit;

/// <summary>Deletes authentication log records older than <see cref="AuthenticationLogOptions.RetentionDays"/>.</summary>
public sealed class AuthenticationLogRetention(
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<AuthenticationLogOptions> options,
    TimeProvider time) : IReconciliation
{
    public const string JobName = "purge-authentication-log";

    /// <summary>Deletes what is past retention; returns how many records. Idempotent.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.RetentionDays);
        int deleted;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // Whole segments: one ends past retention when its newest record does. Counted and
            // deleted in one transaction, so the count is what was deleted.
            var expired = db.AuthenticationLogSegments.Where(s => s.LastAt < cutoff);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            deleted = await expired.SumAsync(s => s.Count, cancellationToken);
            await expired.ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int> { ["deleted"] = deleted }, cancellationToken);
        return deleted;
    }
}
