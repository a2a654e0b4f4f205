using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>
/// The portal's one MudBlazor theme, used by every layout's <c>MudThemeProvider</c>. Its colours
/// meet WCAG 2.2 AA (1.4.3, contrast at least 4.5:1) both as text on the white page and cards and
/// as the background of white text (filled chips, buttons and snackbars); MudBlazor's defaults do
/// not (success text 2.24:1, warning 2.16:1, info 3.12:1, error 3.68:1).
/// </summary>
/// <remarks>
/// Change a colour here and the palette test (<c>PortalThemeTests</c>) measures every pair again.
/// Decisions (allowed, denied) take their colours from this palette through <see cref="DecisionColours"/>.
/// </remarks>
public static class PortalTheme
{
    /// <summary>White: the page, the cards and the text on filled coloured elements.</summary>
    public const string White = "#ffffff";

    /// <summary>Indigo, MudBlazor's own primary (6.0:1 on white).</summary>
    public const string Primary = "#594ae2";

    /// <summary>Pink 700 (5.8:1 on white).</summary>
    public const string Secondary = "#c2185b";

    /// <summary>Teal 700 (5.3:1 on white).</summary>
    public const string Tertiary = "#00796b";

    /// <summary>Blue 800 (5.75:1 on white); also the colour of an allowed request.</summary>
    public const string Info = "#1565c0";

    /// <summary>
    /// A dark green (6.37:1 on white): darker than Green 800 so that a success snackbar, drawn at
    /// 95% opacity over the page, still keeps its white text above 4.5:1.
    /// </summary>
    public const string Success = "#256d29";

    /// <summary>A dark orange (6.06:1 on white): still orange, readable as text.</summary>
    public const string Warning = "#a84300";

    /// <summary>Red 800 (5.62:1 on white); also the colour of a denied request.</summary>
    public const string Error = "#c62828";

    /// <summary>Body text, MudBlazor's default (10:1 on white).</summary>
    public const string TextPrimary = "#424242";

    /// <summary>Secondary text (helper texts, captions, labels): Grey 700, 6.2:1 on white.</summary>
    public const string TextSecondary = "#616161";

    /// <summary>The theme's light palette, each colour from the constants above.</summary>
    public static PaletteLight Palette { get; } = new()
    {
        Primary = Primary,
        Secondary = Secondary,
        Tertiary = Tertiary,
        Info = Info,
        Success = Success,
        Warning = Warning,
        Error = Error,
        TextPrimary = TextPrimary,
        TextSecondary = TextSecondary,
        Background = White,
        Surface = White,
        AppbarBackground = Primary,
        AppbarText = White,
        PrimaryContrastText = White,
        SecondaryContrastText = White,
        TertiaryContrastText = White,
        InfoContrastText = White,
        SuccessContrastText = White,
        WarningContrastText = White,
        ErrorContrastText = White,
    };

    /// <summary>How opaque MudBlazor draws a snackbar (its text and its filled background) over the page.</summary>
    public const double SnackbarOpacity = 0.95;

    /// <summary>The theme every layout passes to its <c>MudThemeProvider</c>.</summary>
    public static MudTheme Theme { get; } = new() { PaletteLight = Palette };

    /// <summary>
    /// The text and background pairs the palette promises at least 4.5:1 for, named for a test's
    /// message: each coloured text on the page, and white text on each filled colour.
    /// </summary>
    public static IReadOnlyList<(string Name, string Text, string Background)> TextPairs { get; } =
    [
        ("body text on the page", TextPrimary, White),
        ("secondary text on the page", TextSecondary, White),
        ("primary text on the page", Primary, White),
        ("secondary colour text on the page", Secondary, White),
        ("tertiary text on the page", Tertiary, White),
        ("info text on the page", Info, White),
        ("success text on the page", Success, White),
        ("warning text on the page", Warning, White),
        ("error text on the page", Error, White),
        ("app bar text", White, Primary),
        ("white on filled primary", White, Primary),
        ("white on filled secondary", White, Secondary),
        ("white on filled tertiary", White, Tertiary),
        ("white on filled info", White, Info),
        ("white on filled success", White, Success),
        ("white on filled warning", White, Warning),
        ("white on filled error", White, Error),
    ];
}
