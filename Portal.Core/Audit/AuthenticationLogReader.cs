using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Audit;

/// <summary>
/// Reads authentication log records newest first (by time, then id) out of segments. Segments of
/// different keys overlap in time, so records are merged: segments are read newest
/// <see cref="AuthenticationLogSegment.LastAt"/> first, and a record is given out only once no
/// unread segment can hold a newer one.
/// </summary>
public static class AuthenticationLogReader
{
    private static readonly Comparer<AuthenticationLogRecord> NewestFirst = Comparer<AuthenticationLogRecord>.Create(static (a, b) =>
    {
        var order = b.OccurredAt.CompareTo(a.OccurredAt);
        return order != 0 ? order : b.Id.CompareTo(a.Id);
    });

    /// <summary>
    /// The records of <paramref name="segments"/> that <paramref name="keep"/> accepts, newest first.
    /// Reads segments only as far as the caller enumerates.
    /// </summary>
    public static async IAsyncEnumerable<AuthenticationLogRecord> NewestFirstAsync(
        IQueryable<AuthenticationLogSegment> segments,
        Func<AuthenticationLogRecord, bool> keep,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pending = new PriorityQueue<AuthenticationLogRecord, AuthenticationLogRecord>(NewestFirst);
        await using var unread = segments
            .OrderByDescending(s => s.LastAt).ThenByDescending(s => s.Id)
            .AsNoTracking()
            .AsAsyncEnumerable()
            .GetAsyncEnumerator(cancellationToken);
        var more = await unread.MoveNextAsync();
        while (true)
        {
            // An unread segment holds nothing newer than its LastAt: read on while that could beat the best pending record.
            while (more && (pending.Count == 0 || unread.Current.LastAt >= pending.Peek().OccurredAt))
            {
                foreach (var record in AuthenticationLogSegmentCodec.Decode(unread.Current))
                {
                    if (keep(record))
                    {
                        pending.Enqueue(record, record);
                    }
                }

                more = await unread.MoveNextAsync();
            }

            if (pending.Count == 0)
            {
                yield break;
            }

            yield return pending.Dequeue();
        }
    }
}
