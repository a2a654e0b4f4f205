using Portal.Core.Exports;

namespace Portal.Tests.Core.Exports;

/// <summary>The one CSV cell writer: RFC 4180 quoting and OWASP's CSV-injection neutralisation.</summary>
public sealed class CsvCellTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1+1", "\"'+1+1\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\t=1+1", "\"'\t=1+1\"")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    public void Text_FormulaStart_IsPrefixedAndQuoted(string value, string cell)
    {
        Assert.Equal(cell, CsvCell.Text(value));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("a=b", "a=b")]
    public void Text_OtherText_IsQuotedOnlyWhenRfc4180NeedsIt(string? value, string cell)
    {
        Assert.Equal(cell, CsvCell.Text(value));
    }
}
