using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Protections;

/// <summary>
/// Stores the quota counts of <see cref="IRateLimitStore"/> every <see cref="Interval"/> and once
/// more at shutdown, so a graceful stop forgets no credits; after a crash, up to one interval of
/// consumption is forgotten (the keys get those credits back). The request path never writes.
/// </summary>
/// <remarks>
/// Each count is one <c>UPDATE ... WHERE Id = key AND QuotaStamp = stamp</c> setting
/// <see cref="Keys.ApiKey.QuotaRemaining"/> and <see cref="Keys.ApiKey.QuotaAsOf"/>: a count taken
/// against a quota an admin has since set again (a new stamp) is not stored over the new setting,
/// and a deleted key matches nothing. Counts that could not be written are kept and retried with
/// the next drain (a newer count of the same key replaces them).
/// </remarks>
public sealed partial class QuotaWriter(
    IRateLimitStore store,
    IDbContextFactory<PortalDbContext> contexts,
    TimeProvider time,
    ILogger<QuotaWriter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Dictionary<Guid, QuotaCount> _pending = [];
    private readonly SemaphoreSlim _writing = new(1, 1);

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

    /// <summary>
    /// Drains the changed counts and stores them; returns the number of keys updated (counts for a
    /// deleted key or an older stamp update none). Throws when the database fails; the counts are
    /// then kept for the next call.
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            foreach (var count in store.DrainChangedQuotas())
            {
                _pending[count.KeyId] = count;
            }

            if (_pending.Count == 0)
            {
                return 0;
            }

            var updated = 0;
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            foreach (var count in _pending.Values.ToList())
            {
                var (keyId, stamp, remaining, asOf) = (count.KeyId, count.Stamp, count.Remaining, count.AsOf);
                updated += await db.ApiKeys
                    .Where(k => k.Id == keyId && k.QuotaStamp == stamp)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.QuotaRemaining, remaining).SetProperty(k => k.QuotaAsOf, asOf), cancellationToken);
                _pending.Remove(keyId);
            }

            return updated;
        }
        finally
        {
            _writing.Release();
        }
    }

    public override void Dispose()
    {
        _writing.Dispose();
        base.Dispose();
    }

    private async Task FlushSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogFlushFailed(logger, _pending.Count, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing quota counts failed; {Count} are kept in memory for the next attempt.")]
    private static partial void LogFlushFailed(ILogger logger, int count, Exception exception);
}
