using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Audit;

/// <summary>The authentication log's buffer and retention, bound from <c>AuthenticationLog</c>.</summary>
public sealed class AuthenticationLogOptions
{
    public const string Section = "AuthenticationLog";

    /// <summary>Records waiting to be written; past this, new records are dropped and counted.</summary>
    [Range(100, 10_000_000)]
    public int BufferCapacity { get; set; } = 50_000;

    /// <summary>Records per transaction. Large on purpose: each transaction rewrites every index page it touches.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 10_000;

    /// <summary>How long the writer lets records gather before writing a batch smaller than <see cref="BatchSize"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan GatherFor { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long records are kept before the retention job deletes them.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;
}
