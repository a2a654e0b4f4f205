using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Audit;

/// <summary>
/// Drains <see cref="AuthenticationLog"/> into the database in batches, and at shutdown writes what
/// is still queued. Warns (at most once per batch) when records were dropped.
/// </summary>
public sealed partial class AuthenticationLogWriter(
    AuthenticationLog log,
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<AuthenticationLogOptions> options,
    ILogger<AuthenticationLogWriter> logger) : BackgroundService
{
    private long _droppedReported;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await log.Reader.WaitToReadAsync(stoppingToken))
            {
                await WriteBatchAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        log.Complete();
        while (log.Reader.TryPeek(out _))
        {
            await WriteBatchAsync();
        }
    }

    /// <summary>Writes up to one batch of queued records; returns how many.</summary>
    public async Task<int> WriteBatchAsync()
    {
        var batch = new List<AuthenticationLogRecord>(options.Value.BatchSize);
        while (batch.Count < options.Value.BatchSize && log.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        ReportDrops();
        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.AuthenticationLog.AddRange(batch);
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogWriteFailed(logger, batch.Count, e);
        }

        return batch.Count;
    }

    private void ReportDrops()
    {
        var dropped = log.Dropped;
        if (dropped > _droppedReported)
        {
            LogDropped(logger, dropped - _droppedReported, dropped);
            _droppedReported = dropped;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication log fell behind: {Count} records dropped ({Total} since start).")]
    private static partial void LogDropped(ILogger logger, long count, long total);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} authentication log records failed.")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
