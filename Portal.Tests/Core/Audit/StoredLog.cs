using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Tests.Core.Audit;

/// <summary>The authentication log as stored: records read out of, and written into, segments.</summary>
public static class StoredLog
{
    /// <summary>Every stored record, oldest first.</summary>
    public static async Task<List<AuthenticationLogRecord>> AllAsync(PortalDbContext db)
    {
        var segments = await db.AuthenticationLogSegments.AsNoTracking().ToListAsync();
        return [.. segments.SelectMany(AuthenticationLogSegmentCodec.Decode).OrderBy(r => r.OccurredAt).ThenBy(r => r.Id)];
    }

    /// <summary>Stores each record as the writer stores a decision that arrived on its own: one segment.</summary>
    public static async Task AddAsync(PortalDbContext db, params AuthenticationLogRecord[] records)
    {
        foreach (var r in records)
        {
            await AddBatchAsync(db, r.ToEntry());
        }
    }

    public static AuthenticationLogEntry ToEntry(this AuthenticationLogRecord r) =>
        new(r.OccurredAt, r.KeyId, r.OrganizationId, r.OwnerId, r.KeyHint, r.Code, r.Door, r.Method, r.Path, r.ClientIp, r.UserAgent, r.LatencyMicroseconds, r.Count,
            r.Scope, r.RuleId?.ToString(), r.Rule);

    /// <summary>Stores the entries as the writer stores one batch: a segment per key.</summary>
    public static async Task AddBatchAsync(PortalDbContext db, params AuthenticationLogEntry[] batch)
    {
        var segments = new List<AuthenticationLogSegment>();
        AuthenticationLogSegmentCodec.Pack(batch, new Guid[batch.Length], segments);
        db.AuthenticationLogSegments.AddRange(segments);
        await db.SaveChangesAsync();
    }
}
