using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Audit;

/// <summary>
/// How much one read of the authentication log or the audit trail may cover and read, bound from
/// the <c>LogQueries</c> section and validated at start. Every query covers a bounded time range
/// and stops at a row budget; a query that stops early says so ("more results: narrow the
/// filter") instead of reading on, so one person's broad search cannot hold a database
/// connection and a thread for minutes.
/// </summary>
public sealed class LogQueryOptions
{
    public const string Section = "LogQueries";

    /// <summary>The longest time range one query covers, in days; an open start means this many days before the end (or now).</summary>
    [Range(1, 366, ErrorMessage = "LogQueries:MaxRangeDays must be between 1 and 366.")]
    public int MaxRangeDays { get; set; } = 31;

    /// <summary>Authentication log records one page of the log page may read (matching or not) before it stops.</summary>
    [Range(1, 100_000_000, ErrorMessage = "LogQueries:PageScanBudget must be between 1 and 100000000.")]
    public int PageScanBudget { get; set; } = 200_000;

    /// <summary>Rows one CSV export of the authentication log writes at most.</summary>
    [Range(1, 10_000_000, ErrorMessage = "LogQueries:ExportRowBudget must be between 1 and 10000000.")]
    public int ExportRowBudget { get; set; } = 100_000;

    /// <summary>Authentication log records one CSV export may read (matching or not) before it stops.</summary>
    [Range(1, 1_000_000_000, ErrorMessage = "LogQueries:ExportScanBudget must be between 1 and 1000000000.")]
    public int ExportScanBudget { get; set; } = 2_000_000;

    /// <summary>How deep the audit page pages: offset plus page size at most this many records.</summary>
    [Range(1, 10_000_000, ErrorMessage = "LogQueries:AuditRowBudget must be between 1 and 10000000.")]
    public int AuditRowBudget { get; set; } = 10_000;

    /// <summary>The longest range as a time span.</summary>
    public TimeSpan MaxRange => TimeSpan.FromDays(MaxRangeDays);

    /// <summary>What a stopped query tells its reader.</summary>
    public const string NarrowTheFilter = "More results: narrow the filter (a shorter time range, a key, an outcome).";

    /// <summary>
    /// The range a query covers: <paramref name="from"/> defaults to <see cref="MaxRangeDays"/> before
    /// <paramref name="to"/> (or <paramref name="now"/>); an open end stays open (nothing is logged
    /// after now). Refused naming <c>from</c> when the start is after the end or the range is longer
    /// than <see cref="MaxRangeDays"/>.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset? To) Range(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now)
    {
        if (from > to)
        {
            throw new InvalidRequestException("from", "The start of the range must be before its end.");
        }

        var end = to ?? now;
        // Subtracting from the earliest representable time would overflow: such an end leaves nothing to cover anyway.
        var start = from ?? (end.UtcTicks - MaxRange.Ticks > DateTimeOffset.MinValue.UtcTicks ? end - MaxRange : DateTimeOffset.MinValue);
        if (end.UtcTicks - start.UtcTicks > MaxRange.Ticks)
        {
            throw new InvalidRequestException("from", $"A query covers at most {MaxRangeDays} days: choose a later start or an earlier end.");
        }

        return (start, to);
    }
}
