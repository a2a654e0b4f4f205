using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Audit;

/// <summary>Deletes authentication log records older than <see cref="AuthenticationLogOptions.RetentionDays"/>, hourly.</summary>
public sealed partial class AuthenticationLogRetention(
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<AuthenticationLogOptions> options,
    TimeProvider time,
    ILogger<AuthenticationLogRetention> logger) : BackgroundService
{
    /// <summary>Deletes what is past retention; returns how many records. Idempotent.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.RetentionDays);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.AuthenticationLog.Where(r => r.OccurredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            LogPurged(logger, deleted, options.Value.RetentionDays);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        try
        {
            do
            {
                try
                {
                    await PurgeAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPurgeFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} authentication log records older than {Days} days.")]
    private static partial void LogPurged(ILogger logger, int count, int days);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deleting old authentication log records failed.")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
