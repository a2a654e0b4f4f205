using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Keys;

/// <summary>
/// Marks active keys whose expiry has passed as expired and audits each, once. The validator
/// already refuses them by time; this makes the stored status and the audit trail say so too.
/// A reconciliation of database state: safe to run twice or on several nodes at once.
/// </summary>
public sealed partial class KeyExpiry(IServiceScopeFactory scopes, TimeProvider time, ILogger<KeyExpiry> logger) : BackgroundService
{
    public const int BatchSize = 500;

    private static readonly Caller System = new(Guid.Empty, "system", Channels.Job);

    /// <summary>Expires every key that is due; returns how many this call expired.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
            var changes = scope.ServiceProvider.GetRequiredService<KeyChangeFeed>();
            var now = time.GetUtcNow();
            var due = await db.ApiKeys.Include(k => k.Secrets)
                .Where(k => k.Status == KeyStatus.Active && k.ExpiresAt <= now)
                .OrderBy(k => k.ExpiresAt)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (due.Count == 0)
            {
                return total;
            }

            foreach (var key in due)
            {
                key.Status = KeyStatus.Expired;
                key.UpdatedAt = now;
                key.ConcurrencyStamp = Guid.NewGuid();
                audit.Record(System, AuditActions.KeyExpired, key.OrganizationId, "key", key.Id.ToString(), key.Name, new { key.ExpiresAt });
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another node (or an edit) changed one of these keys first: read the due keys again.
                continue;
            }

            foreach (var key in due)
            {
                changes.Publish(KeyChange.Of(key));
            }

            total += due.Count;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        try
        {
            do
            {
                try
                {
                    if (await ExpireDueAsync(stoppingToken) is > 0 and var count)
                    {
                        LogExpired(logger, count);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Count} keys.")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring keys failed; the next run tries again.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
