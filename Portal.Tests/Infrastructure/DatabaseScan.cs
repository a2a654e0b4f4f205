using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// Reads every column of every row of every table of the app's database (every schema on
/// PostgreSQL) and reports where any of the given strings appears: in text case-blind, in binary
/// as UTF-8 or UTF-16 bytes. What a person holding a copy of the database could read.
/// </summary>
public static class DatabaseScan
{
    /// <summary>Each place a needle was found, as <c>table.column: needle</c>.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(PortalApp app, params string[] needles)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var found = new List<string>();
        foreach (var table in await TablesAsync(connection, app.Provider))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (await reader.IsDBNullAsync(i))
                    {
                        continue;
                    }

                    var value = reader.GetValue(i);
                    found.AddRange(needles.Where(n => Contains(value, n)).Select(n => $"{table}.{reader.GetName(i)}: {n}"));
                }
            }
        }

        return found;
    }

    private static bool Contains(object value, string needle) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes).Contains(needle, StringComparison.OrdinalIgnoreCase)
            || Encoding.Unicode.GetString(bytes).Contains(needle, StringComparison.OrdinalIgnoreCase),
        _ => (Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "").Contains(needle, StringComparison.OrdinalIgnoreCase),
    };

    private static async Task<List<string>> TablesAsync(DbConnection connection, DatabaseProvider provider)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = provider == DatabaseProvider.Sqlite
            ? "SELECT '\"' || name || '\"' FROM sqlite_master WHERE type = 'table'"
            : "SELECT '\"' || table_schema || '\".\"' || table_name || '\"' FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }
}
