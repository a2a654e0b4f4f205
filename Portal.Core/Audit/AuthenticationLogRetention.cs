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
            deleted = await db.AuthenticationLog.Where(r => r.OccurredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        }

        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int> { ["deleted"] = deleted }, cancellationToken);
        return deleted;
    }
}
