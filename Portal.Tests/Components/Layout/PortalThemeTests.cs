using System.Globalization;
using MudBlazor.Utilities;
using Portal.Components.Layout;

namespace Portal.Tests.Components.Layout;

/// <summary>
/// The palette's promises, measured with WCAG 2.2's own formulas (relative luminance and contrast
/// ratio, https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio): text at least 4.5:1 (1.4.3), the
/// decision colours of charts at least 3:1 against the page (1.4.11).
/// </summary>
public sealed class PortalThemeTests
{
    public static TheoryData<string, string, string> TextPairs()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (name, text, background) in PortalTheme.TextPairs)
        {
            data.Add(name, text, background);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TextPairs))]
    public void TextPair_MeetsAaContrast(string name, string text, string background)
    {
        var ratio = Contrast(text, background);

        Assert.True(ratio >= 4.5, $"{name}: {text} on {background} is {ratio:0.00}:1, AA needs 4.5:1.");
    }

    [Fact]
    public void TextPairs_CoverEveryColourOfThePalette_AsTextAndAsFill()
    {
        var palette = PortalTheme.Palette;
        string[] colours = [.. new[] { palette.Primary, palette.Secondary, palette.Tertiary, palette.Info, palette.Success, palette.Warning, palette.Error }
            .Select(c => c.ToString(MudColorOutputFormats.Hex))];

        foreach (var colour in colours.Select(Normalize))
        {
            Assert.Contains(PortalTheme.TextPairs, p => Normalize(p.Text) == colour && Normalize(p.Background) == Normalize(PortalTheme.White));
            Assert.Contains(PortalTheme.TextPairs, p => Normalize(p.Background) == colour && Normalize(p.Text) == Normalize(PortalTheme.White));
        }

        Assert.Equal(Normalize(PortalTheme.White), Normalize(palette.Background.ToString(MudColorOutputFormats.Hex)));
        Assert.Equal(Normalize(PortalTheme.White), Normalize(palette.Surface.ToString(MudColorOutputFormats.Hex)));
    }

    [Theory]
    [InlineData(PortalTheme.Success)]
    [InlineData(PortalTheme.Info)]
    [InlineData(PortalTheme.Warning)]
    [InlineData(PortalTheme.Error)]
    [InlineData(PortalTheme.Primary)]
    public void Snackbar_WhiteTextOnTheFill_MeetsAaThroughItsOpacity(string fill)
    {
        // The snackbar is drawn at 95% opacity: its fill is lightened by the page beneath, and its
        // white text is laid over that, also at 95% (axe-core measured 4.35:1 on Green 800).
        var background = Over(fill, PortalTheme.White, PortalTheme.SnackbarOpacity);
        var text = Over(PortalTheme.White, background, PortalTheme.SnackbarOpacity);

        var ratio = Contrast(text, background);

        Assert.True(ratio >= 4.5, $"A snackbar on {fill}: {text} on {background} is {ratio:0.00}:1, AA needs 4.5:1.");
    }

    [Fact]
    public void MudBlazorDefaults_FailWhatThePaletteFixes()
    {
        // The measurement that started this palette: MudBlazor's default success and warning text.
        Assert.Equal(2.24, Math.Round(Contrast("#00c853", "#ffffff"), 2));
        Assert.Equal(2.16, Math.Round(Contrast("#ff9800", "#ffffff"), 2));
        Assert.Equal(21.0, Math.Round(Contrast("#000000", "#ffffff"), 2));
        Assert.Equal(1.0, Contrast("#c62828", "#c62828"));
        // What axe-core measured on a success snackbar of Green 800.
        Assert.Equal("#38843c", Over("#2e7d32", "#ffffff", PortalTheme.SnackbarOpacity));
        Assert.True(Contrast(Over("#ffffff", "#38843c", PortalTheme.SnackbarOpacity), "#38843c") < 4.5);
    }

    [Fact]
    public void DecisionColours_StandOutFromThePage_AndFromEachOther()
    {
        foreach (var colour in DecisionColours.DeniedShades.Append(DecisionColours.Allowed))
        {
            var ratio = Contrast(colour, PortalTheme.White);
            Assert.True(ratio >= 3, $"{colour} is {ratio:0.00}:1 against the page; graphics need 3:1.");
        }

        Assert.Equal(Normalize(PortalTheme.Info), Normalize(DecisionColours.Allowed));
        Assert.Equal(Normalize(PortalTheme.Error), Normalize(DecisionColours.Denied));
        Assert.Equal(DecisionColours.Denied, DecisionColours.DeniedShades[0]);
        Assert.All(DecisionColours.DeniedShades, shade => Assert.True(IsRedOrOrange(shade), $"{shade} is not in the red and orange family."));
        Assert.False(IsRedOrOrange(DecisionColours.Allowed));
    }

    /// <summary>WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 the lighter colour's relative luminance.</summary>
    public static double Contrast(string first, string second)
    {
        var (a, b) = (Luminance(first), Luminance(second));
        return (Math.Max(a, b) + 0.05) / (Math.Min(a, b) + 0.05);
    }

    /// <summary>WCAG relative luminance of an sRGB colour written #rrggbb.</summary>
    public static double Luminance(string colour)
    {
        var (r, g, b) = Rgb(colour);
        return (0.2126 * Linear(r)) + (0.7152 * Linear(g)) + (0.0722 * Linear(b));

        static double Linear(int channel)
        {
            var c = channel / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
    }

    /// <summary><paramref name="top"/> drawn at <paramref name="opacity"/> over <paramref name="below"/>, as #rrggbb.</summary>
    public static string Over(string top, string below, double opacity)
    {
        var (r, g, b) = Rgb(top);
        var (r0, g0, b0) = Rgb(below);
        return string.Create(CultureInfo.InvariantCulture, $"#{Mix(r, r0):x2}{Mix(g, g0):x2}{Mix(b, b0):x2}");

        int Mix(int upper, int lower) => (int)Math.Round((upper * opacity) + (lower * (1 - opacity)));
    }

    // Hue from 330° through 0° to 40°: reds, pinks leaning red, and oranges.
    private static bool IsRedOrOrange(string colour)
    {
        var (r, g, b) = Rgb(colour);
        double max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
        if (max == min)
        {
            return false;
        }

        var hue = max == r ? 60 * (((g - b) / (max - min)) % 6) : max == g ? 60 * (((b - r) / (max - min)) + 2) : 60 * (((r - g) / (max - min)) + 4);
        hue = (hue + 360) % 360;
        return hue >= 330 || hue <= 40;
    }

    private static (int R, int G, int B) Rgb(string colour)
    {
        var hex = Normalize(colour)[1..];
        return (Channel(0), Channel(2), Channel(4));

        int Channel(int at) => int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static string Normalize(string colour) => colour.Trim().ToLowerInvariant();
}
