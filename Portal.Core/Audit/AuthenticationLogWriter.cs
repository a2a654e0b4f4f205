using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
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

    /// <summary>
    /// One reused INSERT command for the whole batch, in one transaction. EF's change tracking would
    /// cost more per row than this; column names, parameter types and value conversions come from
    /// the EF model, so every provider stores segments exactly as EF would.
    /// </summary>
    private async Task InsertAsync()
    {
        await using var db = await contexts.CreateDbContextAsync();
        var entity = db.Model.FindEntityType(typeof(AuthenticationLogSegment))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = entity.GetProperties().ToArray();
        var mappings = properties.Select(p => p.GetRelationalTypeMapping()).ToArray();
        var getters = properties.Select(p => p.GetGetter()).ToArray();

        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
            $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", properties.Select((_, i) => "@p" + i))})";
        for (var i = 0; i < properties.Length; i++)
        {
            // Created from the first segment so each parameter carries the provider's type for its column.
            command.Parameters.Add(mappings[i].CreateParameter(command, "@p" + i, getters[i].GetClrValue(_segments[0]), properties[i].IsNullable));
        }

        foreach (var segment in _segments)
        {
            for (var i = 0; i < properties.Length; i++)
            {
                var value = getters[i].GetClrValue(segment);
                command.Parameters[i].Value = value is null ? DBNull.Value : mappings[i].Converter?.ConvertToProvider(value) ?? value;
            }

            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
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
