using System.ComponentModel.DataAnnotations;

namespace Portal.Jobs;

/// <summary>How this node takes part in running jobs, bound from the <c>Jobs</c> section.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// Run a Hangfire server (workers) on this node. Off: the node only schedules and shows the
    /// dashboard, e.g. a web-only node, or the integration tests, which run the jobs themselves.
    /// </summary>
    public bool RunServer { get; set; } = true;

    [Range(1, 20, ErrorMessage = "Jobs:WorkerCount must be between 1 and 20.")]
    public int WorkerCount { get; set; } = 2;

    /// <summary>
    /// Trigger every recurring job once when the node starts, so what fell due while it was down
    /// (e.g. keys that expired) is reconciled at once instead of at the next scheduled run.
    /// </summary>
    public bool RunOnStart { get; set; } = true;
}
