using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Usage;

/// <summary>What one compaction run moved.</summary>
public sealed record UsageCompactionResult(int MinuteRowsCompacted, int HourRowsWritten, int HourRowsCompacted, int DayRowsWritten)
{
    /// <summary>Batches another node compacted first; this run left them alone.</summary>
    public int BatchesTakenByOthers { get; init; }
}

/// <summary>
/// Moves usage to coarser rows as it ages: minutes older than <see cref="UsageOptions.MinutesKeptFor"/>
/// into hours, hours older than <see cref="UsageOptions.HoursKeptFor"/> into days, each per key and
/// per organization, so a 30-day chart reads days, not 43,200 minutes per key.
/// </summary>
/// <remarks>
/// Every batch is one transaction that inserts the coarser rows and deletes exactly the finer rows
/// it summed. If another node deleted some of them first, the delete count differs and the batch
/// rolls back, so a row is counted once however many nodes run this at the same time; running it
/// again finds nothing left to move. Totals are preserved because a count is always in exactly one
/// row. Rows that arrive late (a flush retried after an outage) are moved by the next run.
/// </remarks>
public sealed partial class UsageCompaction(
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<UsageOptions> options,
    TimeProvider time,
    ILogger<UsageCompaction> logger) : IReconciliation
{
    public const string JobName = "compact-usage";

    /// <summary>The recurring job's form: compacts, audits the counts, returns the rows moved.</summary>
    async Task<int> IReconciliation.RunAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(cancellationToken);
        await JobRuns.RecordAsync(contexts, time, JobName, new Dictionary<string, int>
        {
            ["minuteRowsCompacted"] = result.MinuteRowsCompacted,
            ["hourRowsWritten"] = result.HourRowsWritten,
            ["hourRowsCompacted"] = result.HourRowsCompacted,
            ["dayRowsWritten"] = result.DayRowsWritten,
        }, cancellationToken);
        return result.MinuteRowsCompacted + result.HourRowsCompacted;
    }

    public async Task<UsageCompactionResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        var minuteCutoff = UsageTime.Floor(now - settings.MinutesKeptFor, UsageGranularity.Hour);
        var hourCutoff = UsageTime.Floor(now - settings.HoursKeptFor, UsageGranularity.Day);

        var minutes = await RepeatAsync(() => CompactMinutesAsync(minuteCutoff, settings.CompactionBatchSize, cancellationToken), settings.CompactionBatchSize);
        var hours = await RepeatAsync(() => CompactHoursAsync(hourCutoff, settings.CompactionBatchSize, cancellationToken), settings.CompactionBatchSize);
        var result = new UsageCompactionResult(minutes.Read, minutes.Written, hours.Read, hours.Written)
        {
            BatchesTakenByOthers = minutes.Raced + hours.Raced,
        };
        if (result.MinuteRowsCompacted > 0 || result.HourRowsCompacted > 0)
        {
            LogCompacted(logger, result.MinuteRowsCompacted, result.HourRowsWritten, result.HourRowsCompacted, result.DayRowsWritten);
        }

        return result;
    }

    private static async Task<(int Read, int Written, int Raced)> RepeatAsync(Func<Task<Batch>> step, int batchSize)
    {
        int read = 0, written = 0, raced = 0;
        while (true)
        {
            var batch = await step();
            if (batch.TakenByOther)
            {
                // Another node is compacting the same rows; it will finish them.
                return (read, written, raced + 1);
            }

            read += batch.Read;
            written += batch.Written;
            if (batch.Read < batchSize)
            {
                return (read, written, raced);
            }
        }
    }

    private async Task<Batch> CompactMinutesAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = await db.UsageRollups.AsNoTracking()
            .Where(u => u.Minute < cutoff)
            .OrderBy(u => u.Id)
            .Take(batchSize)
            .Select(u => new Row(u.Id, u.OrganizationId, u.KeyId, u.Minute, u.Code, u.Count))
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return new Batch(0, 0, false);
        }

        var periods = Summarize(rows, UsageGranularity.Hour, withOrganizationTotals: true);
        db.UsagePeriods.AddRange(periods);
        await db.SaveChangesAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var deleted = await db.UsageRollups.Where(u => ids.Contains(u.Id)).ExecuteDeleteAsync(cancellationToken);
        return await FinishAsync(transaction, rows.Count, deleted, periods.Count, cancellationToken);
    }

    private async Task<Batch> CompactHoursAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = await db.UsagePeriods.AsNoTracking()
            .Where(p => p.Granularity == UsageGranularity.Hour && p.Start < cutoff)
            .OrderBy(p => p.Id)
            .Take(batchSize)
            .Select(p => new Row(p.Id, p.OrganizationId, p.KeyId, p.Start, p.Code, p.Count))
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return new Batch(0, 0, false);
        }

        // Hour rows already carry their own organization totals (KeyId null); they stay separate.
        var periods = Summarize(rows, UsageGranularity.Day, withOrganizationTotals: false);
        db.UsagePeriods.AddRange(periods);
        await db.SaveChangesAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var deleted = await db.UsagePeriods.Where(p => ids.Contains(p.Id)).ExecuteDeleteAsync(cancellationToken);
        return await FinishAsync(transaction, rows.Count, deleted, periods.Count, cancellationToken);
    }

    private static async Task<Batch> FinishAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, int read, int deleted, int written, CancellationToken cancellationToken)
    {
        if (deleted != read)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new Batch(0, 0, true);
        }

        await transaction.CommitAsync(cancellationToken);
        return new Batch(read, written, false);
    }

    private static List<UsagePeriod> Summarize(List<Row> rows, UsageGranularity granularity, bool withOrganizationTotals)
    {
        var sums = new Dictionary<(Guid Organization, Guid? Key, DateTimeOffset Start, string Code), long>();
        foreach (var row in rows)
        {
            var start = UsageTime.Floor(row.Start, granularity);
            Add(sums, (row.OrganizationId, row.KeyId, start, row.Code), row.Count);
            if (withOrganizationTotals)
            {
                Add(sums, (row.OrganizationId, null, start, row.Code), row.Count);
            }
        }

        return [.. sums.Select(s => new UsagePeriod
        {
            Granularity = granularity,
            Start = s.Key.Start,
            OrganizationId = s.Key.Organization,
            KeyId = s.Key.Key,
            Code = s.Key.Code,
            Count = s.Value,
        })];
    }

    private static void Add<TKey>(Dictionary<TKey, long> sums, TKey key, long count)
        where TKey : notnull =>
        sums[key] = sums.GetValueOrDefault(key) + count;

    private sealed record Row(Guid Id, Guid OrganizationId, Guid? KeyId, DateTimeOffset Start, string Code, long Count);

    private readonly record struct Batch(int Read, int Written, bool TakenByOther);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage compaction: {Minutes} minute rows into {Hours} hour rows, {HourRows} hour rows into {Days} day rows.")]
    private static partial void LogCompacted(ILogger logger, int minutes, int hours, int hourRows, int days);
}
