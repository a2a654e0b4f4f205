using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Usage;

/// <summary>
/// Writes <see cref="UsageCounters"/> to the database every few seconds and once more at shutdown,
/// so a graceful stop loses no counts. The request path never writes to the database.
/// </summary>
public sealed partial class UsageFlusher(
    UsageCounters counters,
    IDbContextFactory<Data.PortalDbContext> contexts,
    TimeProvider time,
    ILogger<UsageFlusher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushSafelyAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushSafelyAsync(CancellationToken.None);
    }

    /// <summary>Writes what has been counted; returns the number of roll-up rows written.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var batch = counters.Drain(time.GetUtcNow().UtcTicks);
        if (batch.IsEmpty)
        {
            return 0;
        }

        try
        {
            await WriteAsync(batch, cancellationToken);
        }
        catch
        {
            counters.Restore(batch);
            throw;
        }

        return batch.Counts.Count;
    }

    private async Task WriteAsync(UsageBatch batch, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var (key, count) in batch.Counts)
        {
            db.UsageRollups.Add(new UsageRollup
            {
                KeyId = key.KeyId,
                OrganizationId = key.OrganizationId,
                Minute = new DateTimeOffset(key.MinuteTicks, TimeSpan.Zero),
                Code = key.Code,
                Count = count,
            });
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (keyId, use) in batch.LastUse)
        {
            var at = new DateTimeOffset(use.AtTicks, TimeSpan.Zero);
            await db.ApiKeys
                .Where(k => k.Id == keyId && (k.LastUsedAt == null || k.LastUsedAt < at))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, at).SetProperty(k => k.LastUsedIp, use.ClientIp), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task FlushSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogFlushFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing usage counts failed; they are kept in memory for the next flush.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
