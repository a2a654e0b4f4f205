using Bunit;
using MudBlazor;
using Portal.Components.Usage;
using Portal.Core.Usage;

namespace Portal.Tests.Components.Usage;

/// <summary>The usage charts with data, with a single request, while loading, and for an empty range.</summary>
public sealed class UsageChartComponentsTests : PortalComponentTest
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RequestsChart_WithData_DrawsStackedBarsAndTotals()
    {
        var chart = Render<RequestsChart>(p => p.Add(c => c.Timeline, Timeline((5, 1), (0, 0), (2, 3))));

        Assert.Contains("7 allowed, 4 denied", chart.Find("[data-testid=usage-totals]").TextContent);
        var mud = chart.FindComponent<MudChart<double>>();
        Assert.Equal(ChartType.StackedBar, mud.Instance.ChartType);
        Assert.Equal([5.0, 0, 2], mud.Instance.ChartSeries[0].Data.Values);
        Assert.Equal([1.0, 0, 3], mud.Instance.ChartSeries[1].Data.Values);
        Assert.NotEmpty(chart.FindAll("svg"));
        Assert.DoesNotContain("No requests", chart.Markup);
    }

    [Fact]
    public void RequestsChart_OneRequest_DrawsAWholeNumberAxis()
    {
        var chart = Render<RequestsChart>(p => p.Add(c => c.Timeline, Timeline((0, 0), (1, 0))));

        Assert.Contains("1 allowed, 0 denied", chart.Markup);
        var options = Assert.IsType<StackedBarChartOptions>(chart.FindComponent<MudChart<double>>().Instance.ChartOptions);
        Assert.Equal(1, options.YAxisTicks);
        Assert.NotEmpty(chart.FindAll("svg"));
    }

    [Fact]
    public void RequestsChart_EmptyRange_ShowsAMessageNotAChart()
    {
        var chart = Render<RequestsChart>(p => p.Add(c => c.Timeline, Timeline((0, 0), (0, 0))));

        Assert.Contains("No requests in this range", chart.Markup);
        Assert.Empty(chart.FindComponents<MudChart<double>>());
    }

    [Fact]
    public void RequestsChart_Loading_ShowsProgress()
    {
        var chart = Render<RequestsChart>(p => p.Add(c => c.Timeline, null));

        Assert.NotEmpty(chart.FindComponents<MudProgressLinear>());
        Assert.Empty(chart.FindComponents<MudChart<double>>());
    }

    [Fact]
    public void DenialsChart_WithDenials_DrawsDonutAndTable()
    {
        var timeline = Timeline((5, 4)) with { ByCode = [new("VALID", 5), new("REVOKED", 3), new("EXPIRED", 1)] };

        var chart = Render<DenialsChart>(p => p.Add(c => c.Timeline, timeline));

        var mud = chart.FindComponent<MudChart<double>>();
        Assert.Equal(ChartType.Donut, mud.Instance.ChartType);
        Assert.Equal(["REVOKED", "EXPIRED"], mud.Instance.ChartLabels);
        Assert.Equal(["REVOKED3", "EXPIRED1"], chart.FindAll("tbody tr").Select(r => r.TextContent.Trim().Replace(" ", "", StringComparison.Ordinal)));
    }

    [Fact]
    public void DenialsChart_OnlyAllowed_ShowsAMessage()
    {
        var chart = Render<DenialsChart>(p => p.Add(c => c.Timeline, Timeline((2, 0)) with { ByCode = [new("VALID", 2)] }));

        Assert.Contains("No denied requests in this range", chart.Markup);
        Assert.Empty(chart.FindComponents<MudChart<double>>());
    }

    [Fact]
    public void TopKeysChart_WithKeys_LinksEachKey_AndEmptyShowsAMessage()
    {
        var organization = Guid.NewGuid();
        var key = Guid.NewGuid();
        var chart = Render<TopKeysChart>(p => p.Add(c => c.Keys, [new KeyUsage(key, organization, "orders service", "pk_test_abcd…wxyz", 9, 1)]));
        var empty = Render<TopKeysChart>(p => p.Add(c => c.Keys, []));

        Assert.Equal($"/orgs/{organization}/keys/{key}", chart.Find("tbody a").GetAttribute("href"));
        Assert.Single(chart.FindComponents<MudChart<double>>());
        Assert.Contains("No key was used in this range", empty.Markup);
        Assert.Empty(empty.FindComponents<MudChart<double>>());
    }

    [Fact]
    public void EndpointsAndLatency_WithRecords_ShowPathsAndPercentiles_AndEmptyShowsMessages()
    {
        var usage = new LogUsage(3, false, [new EndpointUsage("/orders", 2), new EndpointUsage("/health", 1)],
            [new LatencyPercentile("p50", 250), new LatencyPercentile("p95", 1_500), new LatencyPercentile("p99", 12_000)]);
        var empty = new LogUsage(0, false, [], []);

        var endpoints = Render<TopEndpointsChart>(p => p.Add(c => c.Usage, usage));
        var latency = Render<LatencyChart>(p => p.Add(c => c.Usage, usage));
        var noEndpoints = Render<TopEndpointsChart>(p => p.Add(c => c.Usage, empty));
        var noLatency = Render<LatencyChart>(p => p.Add(c => c.Usage, empty));

        Assert.Equal(["/orders", "/health"], endpoints.FindComponent<MudChart<double>>().Instance.ChartLabels);
        Assert.Equal(["p500.250", "p951.500", "p9912.0"], latency.FindAll("tbody tr").Select(r => r.TextContent.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal)));
        Assert.Contains("No logged requests in this range", noEndpoints.Markup);
        Assert.Contains("No logged requests in this range", noLatency.Markup);
        Assert.Empty(noLatency.FindComponents<MudChart<double>>());
    }

    [Fact]
    public async Task RangePicker_CustomStartAfterEnd_ShowsAMessageAndQueriesNothing()
    {
        var ranges = new List<UsageRange>();
        var picker = Render<UsageRangePicker>(p => p.Add(c => c.RangeChanged, (UsageRange r) => ranges.Add(r)));

        await picker.InvokeAsync(() => picker.FindAll("button").Single(b => b.TextContent.Trim() == "Custom").Click());
        ranges.Clear();
        var dates = picker.FindComponents<MudDatePicker>();
        // The end moves before the start (today's week): invalid, then the start moves after it: still invalid.
        await picker.InvokeAsync(() => dates[1].Instance.DateChanged.InvokeAsync(new DateTime(2026, 3, 1)));
        await picker.InvokeAsync(() => dates[0].Instance.DateChanged.InvokeAsync(new DateTime(2026, 3, 10)));

        Assert.Contains("The start of the range must be before its end.", picker.Find("[role=alert]").TextContent);
        Assert.Empty(ranges);

        await picker.InvokeAsync(() => dates[1].Instance.DateChanged.InvokeAsync(new DateTime(2026, 3, 12)));
        Assert.True(ranges.Count == 1, string.Join(" / ", ranges));
        var range = ranges[0];
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), range.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 13, 0, 0, 0, TimeSpan.Zero), range.To);
        Assert.Empty(picker.FindAll("[role=alert]"));
    }

    [Fact]
    public async Task RangePicker_Preset_RaisesTheRangeEndingNow()
    {
        var ranges = new List<UsageRange>();
        var picker = Render<UsageRangePicker>(p => p.Add(c => c.RangeChanged, (UsageRange r) => ranges.Add(r)));

        await picker.InvokeAsync(() => picker.FindAll("button").Single(b => b.TextContent.Trim() == "7 days").Click());

        Assert.Equal(TimeSpan.FromDays(7), Assert.Single(ranges).Length);
    }

    private static UsageTimeline Timeline(params (long Allowed, long Denied)[] buckets) => new(
        UsageGranularity.Hour,
        [.. buckets.Select((b, i) => new UsageBucket(Start.AddHours(i), b.Allowed, b.Denied))],
        [new UsageCount("VALID", buckets.Sum(b => b.Allowed)), new UsageCount("INSUFFICIENT_SCOPE", buckets.Sum(b => b.Denied))]);
}
