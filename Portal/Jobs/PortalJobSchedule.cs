using Hangfire;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Permissions;
using Portal.Core.Notifications;
using Portal.Core.Usage;
using Portal.Core.Webhooks;

namespace Portal.Jobs;

/// <summary>
/// The recurring jobs, by stable id, and when they run. Each is a Portal.Core reconciliation, so a
/// run that is late, repeated or concurrent on several nodes does no harm.
/// </summary>
public static class PortalJobSchedule
{
    public static readonly IReadOnlyList<(string Id, string Cron)> Jobs =
    [
        (KeyExpiry.JobName, Cron.Minutely()),
        (KeyHolderReconciliation.JobName, Cron.Minutely()),
        (RotationGraceEnd.JobName, Cron.Minutely()),
        (WebhookDispatch.JobName, Cron.Minutely()),
        (KeyReminders.JobName, "*/15 * * * *"),
        (RotationPolicyEnforcement.JobName, "*/15 * * * *"),
        (UnusedKeyDisabling.JobName, Cron.Hourly()),
        (AuthenticationLogRetention.JobName, Cron.Hourly()),
        (UsageCompaction.JobName, "*/5 * * * *"),
    ];

    public static void Register(IRecurringJobManager manager)
    {
        var options = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        foreach (var (id, cron) in Jobs)
        {
            switch (id)
            {
                case KeyExpiry.JobName: Add<KeyExpiry>(manager, id, cron, options); break;
                case KeyHolderReconciliation.JobName: Add<KeyHolderReconciliation>(manager, id, cron, options); break;
                case RotationGraceEnd.JobName: Add<RotationGraceEnd>(manager, id, cron, options); break;
                case WebhookDispatch.JobName: Add<WebhookDispatch>(manager, id, cron, options); break;
                case KeyReminders.JobName: Add<KeyReminders>(manager, id, cron, options); break;
                case RotationPolicyEnforcement.JobName: Add<RotationPolicyEnforcement>(manager, id, cron, options); break;
                case UnusedKeyDisabling.JobName: Add<UnusedKeyDisabling>(manager, id, cron, options); break;
                case AuthenticationLogRetention.JobName: Add<AuthenticationLogRetention>(manager, id, cron, options); break;
                case UsageCompaction.JobName: Add<UsageCompaction>(manager, id, cron, options); break;
                default: throw new InvalidOperationException($"Job '{id}' has no registration.");
            }
        }
    }

    // Hangfire passes its own shutdown token in place of CancellationToken.None.
    private static void Add<T>(IRecurringJobManager manager, string id, string cron, RecurringJobOptions options)
        where T : IReconciliation =>
        manager.AddOrUpdate<ReconciliationJob<T>>(id, job => job.RunAsync(id, CancellationToken.None), cron, options);
}
