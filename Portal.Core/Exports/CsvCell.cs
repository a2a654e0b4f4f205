namespace Portal.Core.Exports;

/// <summary>
/// The one way a text cell is written into a CSV export (RFC 4180), safe to open in a spreadsheet.
/// </summary>
/// <remarks>
/// OWASP's CSV injection advice: a cell beginning with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab
/// (U+0009) or a carriage return (U+000D) is read by Excel, LibreOffice and Google Sheets as a
/// formula (or, after a tab or CR, the next character is), so it gets a leading <c>'</c>, which
/// spreadsheets take as "this is text", and is quoted. Quoting alone does not help: the quotes are
/// gone by the time the spreadsheet reads the cell. Numbers and timestamps the product formats
/// itself are written as they are; every text that came from a person or a request goes through here.
/// </remarks>
public static class CsvCell
{
    /// <summary>The cell for <paramref name="value"/>: empty for null; neutralised and quoted as above; quoted when it holds <c>,</c>, <c>"</c>, CR or LF.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            return Quoted("'" + value);
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? Quoted(value) : value;
    }

    private static string Quoted(string value) => $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
