using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;

namespace Portal.Core.Usage;

/// <summary>Requests in one minute (or, once compacted, the hour or day starting then) for one reason code.</summary>
public sealed record UsagePoint(DateTimeOffset Minute, string Code, long Count);

/// <summary>Reads a key's per-minute usage from the roll-ups, for keys the caller may see.</summary>
public sealed class UsageQuery(PortalDbContext db, KeyCatalog keys, TimeProvider time)
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>The key's counts per minute and code over the last <paramref name="range"/>; null when the key is not visible.</summary>
    public async Task<IReadOnlyList<UsagePoint>?> KeyMinutesAsync(Caller caller, Guid keyId, TimeSpan range, CancellationToken cancellationToken = default)
    {
        if (range <= TimeSpan.Zero || range > MaxRange)
        {
            throw new InvalidRequestException("range", $"The range must be between one minute and {MaxRange.TotalDays:0} days.");
        }

        if (await keys.FindAsync(caller, keyId, cancellationToken) is null)
        {
            return null;
        }

        var since = time.GetUtcNow() - range;
        var rows = await db.UsageRollups.AsNoTracking()
            .Where(u => u.KeyId == keyId && u.Minute >= since)
            .GroupBy(u => new { u.Minute, u.Code })
            .Select(g => new { g.Key.Minute, g.Key.Code, Count = g.Sum(u => u.Count) })
            .ToListAsync(cancellationToken);
        // Compacted usage has no minutes any more: it is reported at the start of its hour or day.
        var periods = await db.UsagePeriods.AsNoTracking()
            .Where(p => p.KeyId == keyId && p.Start >= since)
            .GroupBy(p => new { p.Start, p.Code })
            .Select(g => new { Minute = g.Key.Start, g.Key.Code, Count = g.Sum(p => p.Count) })
            .ToListAsync(cancellationToken);
        return [.. rows.Concat(periods)
            .GroupBy(r => (r.Minute, r.Code))
            .OrderBy(g => g.Key.Minute).ThenBy(g => g.Key.Code, StringComparer.Ordinal)
            .Select(g => new UsagePoint(g.Key.Minute, g.Key.Code, g.Sum(r => r.Count)))];
    }
}
