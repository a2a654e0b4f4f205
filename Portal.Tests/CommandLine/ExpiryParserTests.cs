using Portal.CommandLine;

namespace Portal.Tests.CommandLine;

public sealed class ExpiryParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("1d", 24 * 60)]
    [InlineData("12h", 12 * 60)]
    [InlineData("90m", 90)]
    [InlineData("365d", 365 * 24 * 60)]
    public void Parse_Duration_AddsItToNow(string value, int minutes) =>
        Assert.Equal(Now.AddMinutes(minutes), ExpiryParser.Parse(value, Now));

    [Theory]
    [InlineData("2026-04-01", "2026-04-01T00:00:00Z")]
    [InlineData("2026-04-01T08:30:00Z", "2026-04-01T08:30:00Z")]
    [InlineData("2026-04-01T10:30:00+02:00", "2026-04-01T08:30:00Z")]
    [InlineData("2026-04-01T08:30:00", "2026-04-01T08:30:00Z")]
    public void Parse_IsoDate_IsReadAsUtc(string value, string expected)
    {
        var parsed = ExpiryParser.Parse(value, Now);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("d")]
    [InlineData("30")]
    [InlineData("30x")]
    [InlineData("30D")]
    [InlineData("0d")]
    [InlineData("-5d")]
    [InlineData("+5d")]
    [InlineData(" 5d")]
    [InlineData("1.5d")]
    [InlineData("99999999999d")]
    [InlineData("next week")]
    [InlineData("30 days")]
    public void Parse_Unreadable_ThrowsNamingTheOption(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => ExpiryParser.Parse(value, Now));

        Assert.Contains("--expires", error.Message, StringComparison.Ordinal);
    }
}
