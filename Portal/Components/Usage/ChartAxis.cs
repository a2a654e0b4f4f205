namespace Portal.Components.Usage;

/// <summary>Axis settings shared by the usage charts.</summary>
public static class ChartAxis
{
    /// <summary>
    /// About five whole-number ticks up to <paramref name="highest"/>: a chart of one request gets an
    /// axis of 0..1, not fractions of a request or an empty 0..20 scale.
    /// </summary>
    public static int Ticks(double highest) => Math.Max(1, (int)Math.Ceiling(highest / 5.0));
}
