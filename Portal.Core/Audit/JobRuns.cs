using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Audit;

/// <summary>Makes what a job did visible in the audit trail, as counts per kind of change.</summary>
public static class JobRuns
{
    /// <summary>The actor of every change a job makes.</summary>
    public static readonly Caller System = new(Guid.Empty, "system", Channels.Job);

    /// <summary>
    /// Writes one platform-level <c>job.completed</c> record with the counts, only when the run
    /// changed something: a minutely job that found nothing to do would otherwise bury the trail.
    /// </summary>
    public static async Task RecordAsync(
        IDbContextFactory<PortalDbContext> contexts,
        TimeProvider time,
        string job,
        IReadOnlyDictionary<string, int> counts,
        CancellationToken cancellationToken)
    {
        if (counts.Values.All(c => c == 0))
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        new AuditTrail(db, time).Record(System, AuditActions.JobCompleted, null, "job", job, job, counts);
        await db.SaveChangesAsync(cancellationToken);
    }
}
