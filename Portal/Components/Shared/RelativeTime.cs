namespace Portal.Components.Shared;

/// <summary>"in 3 days", "2 hours ago": how the key list shows expiry and last use.</summary>
public static class RelativeTime
{
    public static string Format(DateTimeOffset? at, DateTimeOffset now, string none = "never")
    {
        if (at is not { } value)
        {
            return none;
        }

        var delta = value - now;
        var future = delta > TimeSpan.Zero;
        var span = future ? delta : -delta;
        var amount = span switch
        {
            { TotalSeconds: < 60 } => "less than a minute",
            { TotalMinutes: < 60 } => Plural((int)span.TotalMinutes, "minute"),
            { TotalHours: < 24 } => Plural((int)span.TotalHours, "hour"),
            { TotalDays: < 60 } => Plural((int)span.TotalDays, "day"),
            { TotalDays: < 730 } => Plural((int)(span.TotalDays / 30), "month"),
            _ => Plural((int)(span.TotalDays / 365), "year"),
        };
        return future ? $"in {amount}" : $"{amount} ago";
    }

    /// <summary>The moment to the second, in UTC (<c>2026-05-04 13:07:42 UTC</c>): for records where a minute holds many, like the authentication log.</summary>
    public static string ToSecond(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) ?? "—";

    public static string Exact(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) ?? "—";

    private static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
}
