namespace Portal.Core.Usage;

/// <summary>Period arithmetic in UTC, shared by compaction and the chart queries.</summary>
public static class UsageTime
{
    public static TimeSpan Length(UsageGranularity granularity) => granularity switch
    {
        UsageGranularity.Minute => TimeSpan.FromMinutes(1),
        UsageGranularity.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>The start of the period that contains <paramref name="at"/>.</summary>
    public static DateTimeOffset Floor(DateTimeOffset at, UsageGranularity granularity)
    {
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - ticks % Length(granularity).Ticks, TimeSpan.Zero);
    }

    /// <summary>The end of the period that contains the instant just before <paramref name="at"/>.</summary>
    public static DateTimeOffset Ceiling(DateTimeOffset at, UsageGranularity granularity)
    {
        var floor = Floor(at, granularity);
        return floor.UtcTicks == at.UtcTicks ? floor : floor + Length(granularity);
    }
}
