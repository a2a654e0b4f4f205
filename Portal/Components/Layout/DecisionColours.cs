using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>
/// One colour meaning for a request's decision everywhere it is drawn (the usage charts, the
/// authentication log's outcome chips): allowed in blue, denied and refused in the red and orange
/// family. Blue against red stays apart for the common red-green colour blindness, and every
/// colour here is at least 3:1 against white (WCAG 2.2 1.4.11, non-text contrast).
/// </summary>
public static class DecisionColours
{
    /// <summary>An allowed request: the palette's info blue.</summary>
    public const string Allowed = PortalTheme.Info;

    /// <summary>A denied request: the palette's error red.</summary>
    public const string Denied = PortalTheme.Error;

    /// <summary>The MudBlazor colour of an allowed request's chip or text.</summary>
    public const Color AllowedColor = Color.Info;

    /// <summary>The MudBlazor colour of a denied request's chip or text.</summary>
    public const Color DeniedColor = Color.Error;

    /// <summary>
    /// Reds and oranges for charts that split denials by reason, in order of use; a chart with
    /// more reasons than shades repeats them (its table names each reason).
    /// </summary>
    public static IReadOnlyList<string> DeniedShades { get; } =
    [
        Denied,
        "#e65100", // orange 900
        "#9c2a00", // a dark red-orange
        "#bf360c", // deep orange 900
        "#b71c1c", // red 900
        "#d84315", // deep orange 800
        "#ad1457", // pink 800
        "#8d2b0b", // brown-red
    ];

    /// <summary>The chart palette of series allowed then denied (stacked bars of both).</summary>
    public static string[] AllowedThenDenied => [Allowed, Denied];

    /// <summary>The chart palette of a chart whose every segment is a denial.</summary>
    public static string[] DenialsOnly => [.. DeniedShades];

    /// <summary>The MudBlazor colour of a decision: allowed or denied.</summary>
    public static Color Of(bool allowed) => allowed ? AllowedColor : DeniedColor;

    /// <summary>The alert severity of a decision, whose colour matches <see cref="Of"/>.</summary>
    public static Severity SeverityOf(bool allowed) => allowed ? Severity.Info : Severity.Error;
}
