using Hangfire;
using Microsoft.Extensions.Options;

namespace Portal.Jobs;

/// <summary>
/// Writes the recurring schedule to job storage at start (every node does; it is an upsert) and,
/// when this node runs jobs, triggers each job once so what fell due while it was down is
/// reconciled at once.
/// </summary>
internal sealed partial class RecurringJobsRegistration(IRecurringJobManager manager, IOptions<JobsOptions> options, ILogger<RecurringJobsRegistration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        PortalJobSchedule.Register(manager);
        if (options.Value.RunServer && options.Value.RunOnStart)
        {
            foreach (var (id, _) in PortalJobSchedule.Jobs)
            {
                manager.Trigger(id);
            }

            LogTriggered(logger, PortalJobSchedule.Jobs.Count);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered the recurring jobs and triggered {Count} of them to reconcile what fell due while the node was down.")]
    private static partial void LogTriggered(ILogger logger, int count);
}
