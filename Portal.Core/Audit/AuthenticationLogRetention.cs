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
            // Whole segments: one ends past retention when its newest record does.
            deleted = await db.AuthenticationLogSegments.Where(s => s.LastAt < cutoff).Select(s => s.Count).SumAsync(cancellationToken);
            await db.AuthenticationLogSegments.Where(s => s.LastAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        }

        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int> { ["deleted"] = deleted }, cancellationToken);
        return deleted;
    }
}
