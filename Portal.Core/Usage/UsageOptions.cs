using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Usage;

/// <summary>How long usage is kept at minute and hour resolution, bound from <c>Usage</c>.</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>
    /// Minute rows older than this (rounded down to the hour) are compacted into hours. The last
    /// hour's chart needs minutes; anything longer reads hours.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "7.00:00:00")]
    public TimeSpan MinutesKeptFor { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Hour rows older than this (rounded down to the day) are compacted into days. Eight days keep
    /// the 7-day chart hourly.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "90.00:00:00")]
    public TimeSpan HoursKeptFor { get; set; } = TimeSpan.FromDays(8);

    /// <summary>Rows compacted per transaction, so one run never holds a long write lock.</summary>
    [Range(100, 1_000_000)]
    public int CompactionBatchSize { get; set; } = 20_000;
}
