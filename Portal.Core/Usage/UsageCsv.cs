using System.Globalization;
using Portal.Core.Exports;
using Portal.Core.Organizations;

namespace Portal.Core.Usage;

/// <summary>One usage chart's data as CSV lines (header first), with the same visibility as the chart.</summary>
public sealed class UsageCsv(UsageCharts charts)
{
    public static readonly IReadOnlyList<string> Charts = ["timeline", "reasons", "keys", "endpoints", "latency"];

    /// <summary>The chart's lines, or null when the scope is not visible. Throws, naming <c>chart</c>, for an unknown chart.</summary>
    public async Task<IReadOnlyList<string>?> LinesAsync(Caller caller, UsageScope scope, UsageRange range, string? chart, CancellationToken cancellationToken = default)
    {
        chart = string.IsNullOrEmpty(chart) ? "timeline" : chart;
        if (!Charts.Contains(chart))
        {
            throw new InvalidRequestException("chart", $"Chart must be one of: {string.Join(", ", Charts)}.");
        }

        switch (chart)
        {
            case "timeline":
                return await charts.TimelineAsync(caller, scope, range, cancellationToken) is { } timeline
                    ? ["bucket_start,allowed,denied", .. timeline.Buckets.Select(b => $"{Time(b.Start)},{b.Allowed},{b.Denied}")]
                    : null;
            case "reasons":
                return await charts.TimelineAsync(caller, scope, range, cancellationToken) is { } reasons
                    ? ["code,count", .. reasons.ByCode.Select(c => $"{Text(c.Code)},{c.Count}")]
                    : null;
            case "keys":
                return await charts.TopKeysAsync(caller, scope, range, cancellationToken) is { } keys
                    ? ["key_id,name,hint,allowed,denied", .. keys.Select(k => $"{k.KeyId},{Text(k.Name)},{Text(k.Hint)},{k.Allowed},{k.Denied}")]
                    : null;
            case "endpoints":
                return await charts.LogUsageAsync(caller, scope, range, cancellationToken) is { } endpoints
                    ? ["path,count", .. endpoints.TopEndpoints.Select(e => $"{Text(e.Path)},{e.Count}")]
                    : null;
            default:
                return await charts.LogUsageAsync(caller, scope, range, cancellationToken) is { } latency
                    ? ["percentile,latency_us", .. latency.LatencyMicroseconds.Select(p => $"{p.Name},{p.Microseconds}")]
                    : null;
        }
    }

    private static string Time(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    private static string Text(string value) => CsvCell.Text(value);
}
