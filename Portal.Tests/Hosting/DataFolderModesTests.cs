using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Account;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

/// <summary>The modes the web host leaves on the data folder and the SQLite files when it starts.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderModesTests
{
    private const UnixFileMode Loose = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [UnixFact]
    public async Task FirstStart_DefaultSqlite_FolderIs0700_AndDatabaseFiles0600()
    {
        using var app = new SqliteApp();
        var folder = Path.Combine(app.DataDirectory, "fresh", "data");
        using var fresh = app.WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:Portal", "")
            .UseSetting("Storage:DataDirectory", folder));

        // A database connection held open keeps SQLite's -wal and -shm files in place.
        await using var scope = fresh.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.OpenConnectionAsync();
        Assert.True(await db.Users.CountAsync() >= 0);

        Assert.Equal(OwnerOnlyFiles.FolderMode, File.GetUnixFileMode(folder));
        var database = Path.Combine(folder, "portal.db");
        Assert.True(File.Exists(database + "-wal"));
        string[] files = [database, database + "-wal", database + "-shm", Path.Combine(folder, "peppers.json"), Path.Combine(folder, MasterKey.FileName)];
        Assert.All(files.Where(File.Exists), file => Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(file)));
        Assert.True(File.Exists(Path.Combine(folder, "peppers.json")));
    }

    [UnixFact]
    public void Start_LooserModesFromBefore_AreTightenedWithALogLine()
    {
        using var app = new SqliteApp();
        var folder = app.DataDirectory;
        File.SetUnixFileMode(folder, OwnerOnlyFiles.FolderMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var database = Path.Combine(folder, "portal.db");
        File.WriteAllText(Path.Combine(folder, MasterKey.FileName), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        string[] files = [database, database + "-journal", Path.Combine(folder, MasterKey.FileName)];
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                File.WriteAllText(file, "");
            }

            File.SetUnixFileMode(file, Loose);
        }

        app.CreateClient().Dispose();

        Assert.Equal(OwnerOnlyFiles.FolderMode, File.GetUnixFileMode(folder));
        Assert.All(files.Where(File.Exists), file => Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(file)));
        Assert.Contains(app.Logs.Lines, line => line.Contains($"Tightened the permissions of {database} from 0644 to 0600", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Lines, line => line.Contains($"Tightened the permissions of {folder} from 0755 to 0700", StringComparison.Ordinal));
    }
}
