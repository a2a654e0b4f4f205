using System.Text;

namespace Portal.Tests.Infrastructure;

/// <summary>Reads an exported CSV back the way RFC 4180 (and a spreadsheet's import) splits it into rows and cells.</summary>
public static class CsvFile
{
    /// <summary>The rows of <paramref name="text"/>; quoted cells may hold commas, quotes ("") and line breaks.</summary>
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                cell.Append(c);
            }
        }

        Assert.False(quoted, "The CSV ends inside a quoted cell.");
        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The cells that a spreadsheet would read as a formula: beginning with = + - @, a tab or a carriage return.</summary>
    public static IEnumerable<string> FormulaCells(IEnumerable<List<string>> rows) =>
        rows.SelectMany(r => r).Where(c => c.Length > 0 && c[0] is '=' or '+' or '-' or '@' or '\t' or '\r');
}
