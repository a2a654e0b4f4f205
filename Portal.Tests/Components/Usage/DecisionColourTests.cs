using Bunit;
using MudBlazor;
using Portal.Components.Layout;
using Portal.Components.Usage;
using Portal.Core.Usage;

namespace Portal.Tests.Components.Usage;

/// <summary>
/// Every chart that draws decisions draws allowed requests in the allowed blue and denied ones in
/// the red and orange family of <see cref="DecisionColours"/>, in the options and in the drawn SVG.
/// </summary>
public sealed class DecisionColourTests : PortalComponentTest
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RequestsChart_AllowedBlue_DeniedRed()
    {
        var timeline = new UsageTimeline(UsageGranularity.Hour,
            [new UsageBucket(Start, 5, 1), new UsageBucket(Start.AddHours(1), 2, 3)],
            [new UsageCount("VALID", 7), new UsageCount("REVOKED", 4)]);

        var chart = Render<RequestsChart>(p => p.Add(c => c.Timeline, timeline));

        AssertAllowedThenDenied(chart.FindComponent<MudChart<double>>());
    }

    [Fact]
    public void TopKeysChart_AllowedBlue_DeniedRed()
    {
        var chart = Render<TopKeysChart>(p => p.Add(c => c.Keys,
            [new KeyUsage(Guid.NewGuid(), Guid.NewGuid(), "orders service", "pk_test_abcd…wxyz", 9, 1)]));

        AssertAllowedThenDenied(chart.FindComponent<MudChart<double>>());
    }

    [Fact]
    public void DenialsChart_EverySegmentRedOrOrange_NeverTheAllowedBlue()
    {
        var timeline = new UsageTimeline(UsageGranularity.Hour, [new UsageBucket(Start, 5, 4)],
            [new UsageCount("VALID", 5), new UsageCount("REVOKED", 3), new UsageCount("EXPIRED", 1)]);

        var chart = Render<DenialsChart>(p => p.Add(c => c.Timeline, timeline));

        var mud = chart.FindComponent<MudChart<double>>();
        Assert.Equal(DecisionColours.DeniedShades, mud.Instance.ChartOptions!.ChartPalette);
        var drawn = MarkColours(chart);
        Assert.Equal([Hex(DecisionColours.Denied), Hex(DecisionColours.DeniedShades[1])], drawn.Order());
        Assert.DoesNotContain(Hex(DecisionColours.Allowed), drawn);
    }

    [Fact]
    public void LogChip_AllowedInfo_DeniedError()
    {
        Assert.Equal(Color.Info, DecisionColours.Of(allowed: true));
        Assert.Equal(Color.Error, DecisionColours.Of(allowed: false));
        Assert.Equal(PortalTheme.Palette.Info.ToString(MudBlazor.Utilities.MudColorOutputFormats.Hex), Hex(DecisionColours.Allowed));
        Assert.Equal(PortalTheme.Palette.Error.ToString(MudBlazor.Utilities.MudColorOutputFormats.Hex), Hex(DecisionColours.Denied));
    }

    // The options name the palette, and the drawn bars use its first colour for "Allowed" and its second for "Denied".
    private static void AssertAllowedThenDenied(IRenderedComponent<MudChart<double>> mud)
    {
        Assert.Equal(["Allowed", "Denied"], mud.Instance.ChartSeries.Select(s => s.Name));
        Assert.Equal([DecisionColours.Allowed, DecisionColours.Denied], mud.Instance.ChartOptions!.ChartPalette);
        Assert.Equal([Hex(DecisionColours.Allowed), Hex(DecisionColours.Denied)], MarkColours(mud).Order());
        var legend = mud.FindAll(".mud-chart-legend-item").ToDictionary(i => i.TextContent.Trim(), i => i.QuerySelector(".mud-chart-legend-marker")!.GetAttribute("style"));
        Assert.Equal($"background-color:{Hex(DecisionColours.Allowed)}", legend["Allowed"]);
        Assert.Equal($"background-color:{Hex(DecisionColours.Denied)}", legend["Denied"]);
    }

    // The colours of the drawn marks (bars, segments): their stroke or fill, grid lines and "none" left out.
    private static HashSet<string> MarkColours<T>(IRenderedComponent<T> chart)
        where T : Microsoft.AspNetCore.Components.IComponent =>
    [
        .. chart.FindAll("[class*='mud-chart-']").SelectMany(e => new[] { e.GetAttribute("stroke"), e.GetAttribute("fill") })
            .Where(c => c is not null && c.StartsWith('#')).Select(c => c!.ToLowerInvariant()),
    ];

    private static string Hex(string colour) => colour.ToLowerInvariant()[..7];
}
