namespace Portal.Components.Shared;

/// <summary>
/// A day chosen in a date picker as UTC bounds: its start, and its end (the next day's start, the
/// end day being inclusive). The calendar's last day, 9999-12-31, has no next day: its end is
/// <see cref="DateTimeOffset.MaxValue"/> instead of an overflow that would break the circuit.
/// </summary>
public static class PickedDay
{
    /// <summary>The start of the picked day in UTC, or null when none is picked.</summary>
    public static DateTimeOffset? Start(DateTime? day) => day is { } d ? new DateTimeOffset(d.Date, TimeSpan.Zero) : null;

    /// <summary>The end of the picked day in UTC (exclusive), or null when none is picked.</summary>
    public static DateTimeOffset? End(DateTime? day) => day is { } d
        ? d.Date == DateTime.MaxValue.Date ? DateTimeOffset.MaxValue : new DateTimeOffset(d.Date.AddDays(1), TimeSpan.Zero)
        : null;
}
