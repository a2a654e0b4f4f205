using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Data;

/// <summary>
/// What the product keeps on this machine's disk: the data folder (SQLite database by default,
/// <c>peppers.json</c>, <c>dataprotection-master.key</c>) and, with SQLite, the database file with
/// its <c>-wal</c>, <c>-shm</c> and <c>-journal</c> companions wherever the connection string puts
/// it. <see cref="Secure"/> makes all of them owner-only before the database is first opened.
/// </summary>
public sealed class DataFiles
{
    /// <summary>The files SQLite keeps beside a database, named by suffix.</summary>
    public static readonly IReadOnlyList<string> SqliteCompanions = ["-wal", "-shm", "-journal"];

    /// <param name="dataDirectory">The absolute data folder.</param>
    /// <param name="sqliteDatabase">The absolute SQLite database file, or null when the database is not a plain local file.</param>
    public DataFiles(string dataDirectory, string? sqliteDatabase)
    {
        DataDirectory = dataDirectory;
        SqliteDatabase = sqliteDatabase;
    }

    /// <summary>The absolute data folder (<c>Storage:DataDirectory</c>).</summary>
    public string DataDirectory { get; }

    /// <summary>The absolute path of the SQLite database file; null for a server database or an in-memory one.</summary>
    public string? SqliteDatabase { get; }

    /// <summary>
    /// Creates the data folder 0700 and an absent SQLite database as an empty 0600 file (SQLite then
    /// gives its -wal, -shm and -journal files the database's mode), and tightens looser modes
    /// already there: the folder, every file directly in it, and the database files. Each change is
    /// logged with the path and both modes. Does nothing on Windows beyond creating the folder.
    /// </summary>
    public void Secure(ILogger logger)
    {
        OwnerOnlyFiles.CreateFolder(DataDirectory);
        OwnerOnlyFiles.Tighten(DataDirectory, logger);
        // Everything the product writes here is a secret or the database; an operator's own file
        // placed here is inside a 0700 folder anyway, so owner-only changes nothing anyone could use.
        foreach (var file in Directory.EnumerateFiles(DataDirectory))
        {
            OwnerOnlyFiles.Tighten(file, logger);
        }

        if (SqliteDatabase is null)
        {
            return;
        }

        var folder = Path.GetDirectoryName(SqliteDatabase);
        if (folder is not null && !Directory.Exists(folder))
        {
            OwnerOnlyFiles.CreateFolder(folder);
        }

        OwnerOnlyFiles.CreateFile(SqliteDatabase);
        OwnerOnlyFiles.Tighten(SqliteDatabase, logger);
        foreach (var suffix in SqliteCompanions)
        {
            OwnerOnlyFiles.Tighten(SqliteDatabase + suffix, logger);
        }
    }

    /// <summary>
    /// The file a SQLite connection string opens, made absolute; null for <c>:memory:</c>, shared
    /// memory (<c>Mode=Memory</c>), a <c>file:</c> URI or a <c>|DataDirectory|</c> path, which are not
    /// plain files of ours to manage.
    /// </summary>
    public static string? SqliteFileOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (string.IsNullOrWhiteSpace(source) || builder.Mode == SqliteOpenMode.Memory
            || source == ":memory:" || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || source.Contains('|', StringComparison.Ordinal))
        {
            return null;
        }

        return Path.GetFullPath(source);
    }
}

/// <summary>Runs <see cref="DataFiles.Secure"/> from a host's service provider.</summary>
public static class DataFilesServiceProviderExtensions
{
    /// <summary>
    /// Makes the data folder and the SQLite files owner-only (see <see cref="DataFiles.Secure"/>).
    /// Call before anything opens the database: the web host before migrating, the command line too.
    /// </summary>
    public static void SecureDataFiles(this IServiceProvider services) =>
        services.GetRequiredService<DataFiles>().Secure(services.GetRequiredService<ILoggerFactory>().CreateLogger<DataFiles>());
}
