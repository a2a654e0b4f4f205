using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Audit;

/// <summary>
/// Drains <see cref="AuthenticationLog"/> into the database in batches, and at shutdown writes what
/// is still queued. A batch is stored as one <see cref="AuthenticationLogSegment"/> per key (at most
/// <see cref="AuthenticationLogSegment.MaxRecords"/> records each). Warns (at most once per batch)
/// when records were dropped.
/// </summary>
public sealed partial class AuthenticationLogWriter(
    AuthenticationLog log,
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<AuthenticationLogOptions> options,
    ILogger<AuthenticationLogWriter> logger) : BackgroundService
{
    // One batch at a time (the writer is the queue's only reader), so the buffers are reused.
    private readonly AuthenticationLogEntry[] _batch = new AuthenticationLogEntry[options.Value.BatchSize];
    private readonly Guid[] _ids = new Guid[options.Value.BatchSize];
    private readonly List<AuthenticationLogSegment> _segments = [];
    private SqliteAuthenticationLogInserter? _sqlite;
    private long _droppedReported;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await log.Reader.WaitToReadAsync(stoppingToken))
            {
                // Let records gather: one transaction per record would cost more than the requests
                // they describe. A wall-clock pause on purpose: it paces writes, it is not domain time.
                if (log.Reader.Count < options.Value.BatchSize)
                {
                    await Task.Delay(options.Value.GatherFor, stoppingToken);
                }

                while (await WriteBatchAsync() == _batch.Length)
                {
                }
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
        var count = 0;
        while (count < _batch.Length && log.Reader.TryRead(out var entry))
        {
            _batch[count++] = entry;
        }

        ReportDrops();
        if (count == 0)
        {
            return 0;
        }

        try
        {
            AuthenticationLogSegmentCodec.Pack(_batch.AsSpan(0, count), _ids.AsSpan(0, count), _segments);
            await InsertAsync();
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogWriteFailed(logger, count, e);
        }
        finally
        {
            // The buffers are reused: let go of the strings and bytes the written batch held.
            Array.Clear(_batch, 0, count);
            _segments.Clear();
        }

        return count;
    }

    public override void Dispose()
    {
        base.Dispose();
        _sqlite?.Dispose();
    }

    /// <summary>The batch's segments in one transaction: a batch is stored whole or not at all.</summary>
    private async Task InsertAsync()
    {
        if (_sqlite is null)
        {
            await using var db = await contexts.CreateDbContextAsync();
            if (!db.Database.IsSqlite())
            {
                await using var insert = new BulkInsert<AuthenticationLogSegment>(db);
                foreach (var segment in _segments)
                {
                    await insert.AddAsync(segment);
                }

                await insert.FlushAsync();
                return;
            }

            _sqlite = new SqliteAuthenticationLogInserter(db);
        }

        _sqlite.Insert(_segments);
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
