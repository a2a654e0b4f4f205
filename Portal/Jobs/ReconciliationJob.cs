using System.ComponentModel;
using Hangfire;
using Portal.Core;

namespace Portal.Jobs;

/// <summary>
/// The Hangfire job around a Portal.Core reconciliation: no logic of its own. No automatic
/// retries: the next scheduled run reconciles whatever a failed run left, so retries would only
/// pile up behind it.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed partial class ReconciliationJob<T>(T reconciliation, ILogger<ReconciliationJob<T>> logger)
    where T : IReconciliation
{
    /// <summary>Runs the reconciliation; the count it returns is the job's result on the dashboard.</summary>
    [DisplayName("{0}")]
    public async Task<int> RunAsync(string jobId, CancellationToken cancellationToken)
    {
        var count = await reconciliation.RunAsync(cancellationToken);
        if (count > 0)
        {
            LogDone(logger, jobId, count);
        }

        return count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} changed or sent {Count} items.")]
    private static partial void LogDone(ILogger logger, string jobId, int count);
}
