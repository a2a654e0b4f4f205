using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Webhooks;

namespace Portal.Core.Notifications;

/// <summary>
/// Reminds key owners 7 days and 1 day before a key expires, and before its token must be rotated
/// under the organization's rotation interval: an in-app notification, plus a signed webhook event
/// when the organization has an endpoint. Each reminder is sent exactly once: the notification's
/// unique (key, kind, due time) index refuses a second one, however many runs race, and the
/// webhook event is saved in the same transaction. A key first seen inside the last day gets only
/// the 1-day reminder.
/// </summary>
public sealed class KeyReminders(IDbContextFactory<PortalDbContext> contexts, TimeProvider time) : IReconciliation
{
    public const string JobName = "send-key-reminders";
    public static readonly TimeSpan FirstReminder = TimeSpan.FromDays(7);
    public static readonly TimeSpan LastReminder = TimeSpan.FromDays(1);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var due = new List<Reminder>();
        var now = time.GetUtcNow();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            due.AddRange(await ExpiryRemindersAsync(db, now, cancellationToken));
            due.AddRange(await RotationRemindersAsync(db, now, cancellationToken));
        }

        var counts = new Dictionary<string, int>
        {
            [NotificationKinds.KeyExpiring7Days] = 0,
            [NotificationKinds.KeyExpiring1Day] = 0,
            [NotificationKinds.RotationDue7Days] = 0,
            [NotificationKinds.RotationDue1Day] = 0,
            ["webhookEvents"] = 0,
        };
        foreach (var reminder in due)
        {
            if (await SendAsync(reminder, counts, cancellationToken))
            {
                counts[reminder.Kind]++;
            }
        }

        await JobRuns.RecordAsync(contexts, time, JobName, counts, cancellationToken);
        return counts.Where(c => c.Key != "webhookEvents").Sum(c => c.Value);
    }

    /// <summary>Which reminder is due for a deadline now: the 1-day one inside the last day, else the 7-day one.</summary>
    public static bool IsLastDay(DateTimeOffset dueAt, DateTimeOffset now) => dueAt - now <= LastReminder;

    private static async Task<List<Reminder>> ExpiryRemindersAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var horizon = now + FirstReminder;
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Status == KeyStatus.Active && k.ExpiresAt > now && k.ExpiresAt <= horizon)
            .Select(k => new { k.Id, k.OrganizationId, k.OwnerId, k.Name, k.Hint, ExpiresAt = k.ExpiresAt!.Value })
            .ToListAsync(cancellationToken);
        return [.. keys.Select(k =>
        {
            var lastDay = IsLastDay(k.ExpiresAt, now);
            var kind = lastDay ? NotificationKinds.KeyExpiring1Day : NotificationKinds.KeyExpiring7Days;
            var message = $"Key “{k.Name}” ({k.Hint}) expires {(lastDay ? "within a day" : "within 7 days")}, on {k.ExpiresAt:yyyy-MM-dd HH:mm} UTC.";
            return new Reminder(k.Id, k.OrganizationId, k.OwnerId, k.Name, k.Hint, kind, k.ExpiresAt, message);
        })];
    }

    private static async Task<List<Reminder>> RotationRemindersAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var policies = await db.OrganizationPolicies.AsNoTracking()
            .Where(p => p.RotationIntervalDays != null)
            .Select(p => new { p.OrganizationId, Days = p.RotationIntervalDays!.Value })
            .ToListAsync(cancellationToken);
        var reminders = new List<Reminder>();
        foreach (var policy in policies)
        {
            // Keys whose current token was issued early enough to be due within 7 days (and not yet overdue:
            // overdue keys are the enforcement job's).
            var issuedBy = now + FirstReminder - TimeSpan.FromDays(policy.Days);
            var issuedAfter = now - TimeSpan.FromDays(policy.Days);
            var keys = await db.ApiKeys.AsNoTracking()
                .Where(k => k.OrganizationId == policy.OrganizationId && k.Status == KeyStatus.Active)
                .SelectMany(k => k.Secrets.Where(s => s.RetiresAt == null && s.CreatedAt <= issuedBy && s.CreatedAt > issuedAfter),
                    (k, s) => new { k.Id, k.OrganizationId, k.OwnerId, k.Name, k.Hint, Issued = s.CreatedAt })
                .ToListAsync(cancellationToken);
            foreach (var k in keys)
            {
                var dueAt = k.Issued.AddDays(policy.Days);
                var lastDay = IsLastDay(dueAt, now);
                var kind = lastDay ? NotificationKinds.RotationDue1Day : NotificationKinds.RotationDue7Days;
                var message = $"Key “{k.Name}” ({k.Hint}) must be rotated {(lastDay ? "within a day" : "within 7 days")}, by {dueAt:yyyy-MM-dd HH:mm} UTC; the organization's policy expires keys not rotated in time.";
                reminders.Add(new Reminder(k.Id, k.OrganizationId, k.OwnerId, k.Name, k.Hint, kind, dueAt, message));
            }
        }

        return reminders;
    }

    /// <summary>Saves the notification (and its webhook event) unless this reminder exists; true when this call sent it.</summary>
    private async Task<bool> SendAsync(Reminder reminder, Dictionary<string, int> counts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Notifications.AnyAsync(n => n.KeyId == reminder.KeyId && n.Kind == reminder.Kind && n.DueAt == reminder.DueAt, cancellationToken))
        {
            return false;
        }

        var now = time.GetUtcNow();
        db.Notifications.Add(new Notification
        {
            UserId = reminder.OwnerId,
            OrganizationId = reminder.OrganizationId,
            KeyId = reminder.KeyId,
            Kind = reminder.Kind,
            DueAt = reminder.DueAt,
            Message = reminder.Message,
            CreatedAt = now,
        });
        var webhook = await db.WebhookEndpoints.AnyAsync(w => w.OrganizationId == reminder.OrganizationId, cancellationToken);
        if (webhook)
        {
            WebhookDispatch.Enqueue(db, reminder.OrganizationId, reminder.Kind, new
            {
                keyId = reminder.KeyId,
                organizationId = reminder.OrganizationId,
                ownerId = reminder.OwnerId,
                name = reminder.Name,
                hint = reminder.Hint,
                dueAt = reminder.DueAt,
                message = reminder.Message,
            }, now);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another run saved this reminder between the check and the save: the unique index kept it single.
            return false;
        }

        if (webhook)
        {
            counts["webhookEvents"]++;
        }

        return true;
    }

    private sealed record Reminder(Guid KeyId, Guid OrganizationId, Guid OwnerId, string Name, string Hint, string Kind, DateTimeOffset DueAt, string Message);
}
