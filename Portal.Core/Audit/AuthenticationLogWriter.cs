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
            await InsertAsync(db, batch);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogWriteFailed(logger, batch.Count, e);
        }

        return batch.Count;
    }

    /// <summary>
    /// One prepared-style INSERT per row in one transaction. At gateway rates the log is the
    /// product's largest writer, and EF's change tracking would cost more than the requests it logs.
    /// Column names and value conversions come from the EF model, so every provider stores the
    /// records exactly as EF would.
    /// </summary>
    private static async Task InsertAsync(PortalDbContext db, List<AuthenticationLogRecord> batch)
    {
        var entity = db.Model.FindEntityType(typeof(AuthenticationLogRecord))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = entity.GetProperties().ToArray();
        var text = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
            $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", properties.Select((_, i) => "@p" + i))})";
        var mappings = properties.Select(p => p.GetRelationalTypeMapping()).ToArray();
        var getters = properties.Select(p => p.GetGetter()).ToArray();

        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var connection = db.Database.GetDbConnection();
        foreach (var record in batch)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = text;
            for (var i = 0; i < properties.Length; i++)
            {
                command.Parameters.Add(mappings[i].CreateParameter(command, "@p" + i, getters[i].GetClrValue(record), properties[i].IsNullable));
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
