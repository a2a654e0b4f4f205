using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Webhooks;

namespace Portal.Core.Protections;

/// <summary>
/// Stores what <see cref="ThreatMonitor"/> raises, off the request path: each automatic block as an
/// <see cref="AddressBlock"/> with its <c>address.blocked</c> audit record; each leaked-key signal
/// as an in-app notification to the key's owner and the organization's admins and owners, a
/// <c>key.suspicious</c> webhook event (when the organization has an endpoint), a <c>key.suspicious</c>
/// audit record and, when the event says so, the key's suspension (<c>key.suspended</c>, and this
/// node's caches drop the key at once). An event that fails to store is logged and skipped. At
/// start it loads the stored blocks into the monitor.
/// </summary>
public sealed partial class ThreatResponder(
    ThreatMonitor monitor,
    IDbContextFactory<PortalDbContext> contexts,
    KeyChangeFeed changes,
    TimeProvider time,
    IMeterFactory meters,
    ILogger<ThreatResponder> logger) : BackgroundService
{
    private readonly Counter<long> _suspensions = meters.Create(AuthenticationLog.MeterName)
        .CreateCounter<long>("portal.protection.suspensions", description: "Keys suspended after a leaked-key signal.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadStoredBlocksAsync(stoppingToken);

            await foreach (var threat in monitor.Events.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await HandleAsync(threat, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e, threat.GetType().Name, threat.OrganizationId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Blocks stored before this start (manual ones, automatic ones not yet ended) hold from the first
    // request. A database that cannot be read is logged, not fatal: the doors still work, without them.
    private async Task LoadStoredBlocksAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await AddressBlocks.LoadAsync(db, monitor, time.GetUtcNow(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoadFailed(logger, e);
        }
    }

    /// <summary>Stores one event (what the loop does for each; public for tests that drive it directly).</summary>
    public Task HandleAsync(ThreatEvent threat, CancellationToken cancellationToken) => threat switch
    {
        AddressBlockedEvent blocked => StoreBlockAsync(blocked, cancellationToken),
        KeySuspiciousEvent suspicious => AlertAsync(suspicious, cancellationToken),
        _ => Task.CompletedTask,
    };

    /// <summary>Reads and stores every event waiting now, without waiting for more (for tests and shutdown).</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        while (monitor.Events.TryRead(out var threat))
        {
            await HandleAsync(threat, cancellationToken);
            count++;
        }

        return count;
    }

    private async Task StoreBlockAsync(AddressBlockedEvent blocked, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var network = $"{blocked.Address}/{(blocked.Address.IsV4 ? 32 : 128)}";
        var block = new AddressBlock
        {
            OrganizationId = blocked.OrganizationId,
            Network = network,
            Reason = blocked.Reason,
            Cause = Truncate(blocked.Cause, AddressBlock.CauseMaxLength),
            Strike = blocked.Strike,
            CreatedAt = blocked.At,
            ExpiresAt = blocked.Until,
        };
        db.AddressBlocks.Add(block);
        // A block of the management API (no organization yet) is the platform's: audited without one.
        new AuditTrail(db, time).Record(JobRuns.System, AuditActions.AddressBlocked, blocked.OrganizationId == Guid.Empty ? null : blocked.OrganizationId, "address", network, network,
            new { reason = block.Reason.ToString(), cause = block.Cause, strike = block.Strike, expiresAt = block.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        LogBlocked(logger, blocked.OrganizationId, network, blocked.Reason, blocked.Strike, blocked.Until);
    }

    private async Task AlertAsync(KeySuspiciousEvent alert, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.Include(k => k.Secrets).FirstOrDefaultAsync(k => k.Id == alert.KeyId && k.OrganizationId == alert.OrganizationId, cancellationToken);
        if (key is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var suspend = alert.Suspend && key.Status == KeyStatus.Active;
        var message = Truncate(
            $"Key “{key.Name}” ({key.Hint}) looks leaked: {alert.Cause}." + (suspend ? " It was suspended until an admin lifts the suspension." : ""),
            Notification.MessageMaxLength);
        var admins = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == alert.OrganizationId && m.Role >= OrganizationRole.Admin && m.UserId != key.OwnerId)
            .Select(m => m.UserId)
            .ToListAsync(cancellationToken);

        // The owner's notification names the key; the admins' do not, since (key, kind, due) is unique.
        db.Notifications.Add(new Notification
        {
            UserId = key.OwnerId,
            OrganizationId = alert.OrganizationId,
            KeyId = key.Id,
            Kind = NotificationKinds.KeySuspicious,
            DueAt = alert.At,
            Message = message,
            CreatedAt = now,
        });
        foreach (var admin in admins)
        {
            db.Notifications.Add(new Notification
            {
                UserId = admin,
                OrganizationId = alert.OrganizationId,
                Kind = NotificationKinds.KeySuspicious,
                DueAt = alert.At,
                Message = message,
                CreatedAt = now,
            });
        }

        if (await db.WebhookEndpoints.AnyAsync(w => w.OrganizationId == alert.OrganizationId, cancellationToken))
        {
            WebhookDispatch.Enqueue(db, alert.OrganizationId, NotificationKinds.KeySuspicious, new
            {
                keyId = key.Id,
                organizationId = key.OrganizationId,
                ownerId = key.OwnerId,
                name = key.Name,
                hint = key.Hint,
                cause = alert.Cause,
                addresses = alert.Addresses,
                countries = alert.Countries,
                suspended = suspend,
                detectedAt = alert.At,
                message,
            }, now);
        }

        var audit = new AuditTrail(db, time);
        audit.Record(JobRuns.System, AuditActions.KeySuspicious, key.OrganizationId, "key", key.Id.ToString(), key.Name,
            new { cause = alert.Cause, addresses = alert.Addresses, countries = alert.Countries });
        if (suspend)
        {
            key.Status = KeyStatus.Suspended;
            key.UpdatedAt = now;
            audit.Record(JobRuns.System, AuditActions.KeySuspended, key.OrganizationId, "key", key.Id.ToString(), key.Name, new { cause = alert.Cause });
        }

        await db.SaveChangesAsync(cancellationToken);
        if (suspend)
        {
            _suspensions.Add(1);
            changes.Publish(KeyChange.Of(key));
        }

        LogSuspicious(logger, key.Id, key.OrganizationId, alert.Cause, suspend);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blocked {Network} for organization {OrganizationId}: {Reason}, strike {Strike}, until {Until}.")]
    private static partial void LogBlocked(ILogger logger, Guid organizationId, string network, BlockReason reason, int strike, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key {KeyId} of organization {OrganizationId} looks leaked: {Cause}; suspended: {Suspended}.")]
    private static partial void LogSuspicious(ILogger logger, Guid keyId, Guid organizationId, string cause, bool suspended);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load the stored address blocks; only blocks raised from now on hold until the next change.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store a threat event ({Event}) of organization {OrganizationId}.")]
    private static partial void LogFailed(ILogger logger, Exception exception, string @event, Guid organizationId);
}
