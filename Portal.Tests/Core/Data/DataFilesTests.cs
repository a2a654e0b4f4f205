using Microsoft.Extensions.Logging;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Data;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFilesTests : IDisposable
{
    private const UnixFileMode Loose = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly string _root = Directory.CreateTempSubdirectory("portal-files-").FullName;
    private readonly CapturedLogs _logs = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [UnixFact]
    public void Secure_NewFolderAndDatabase_AreCreatedOwnerOnly()
    {
        var folder = Path.Combine(_root, "new", "data");
        var database = Path.Combine(folder, "portal.db");

        new DataFiles(folder, database).Secure(Logger());

        Assert.Equal(OwnerOnlyFiles.FolderMode, File.GetUnixFileMode(folder));
        Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(database));
        Assert.Equal(0, new FileInfo(database).Length);
        Assert.Empty(_logs.Lines);
    }

    [UnixFact]
    public void Secure_LooserModesAlreadyThere_AreTightenedAndLogged()
    {
        var folder = Path.Combine(_root, "data");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, OwnerOnlyFiles.FolderMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var elsewhere = Path.Combine(_root, "db");
        Directory.CreateDirectory(elsewhere);
        var database = Path.Combine(elsewhere, "portal.db");
        string[] files = [Path.Combine(folder, "peppers.json"), Path.Combine(folder, "dataprotection-master.key"), database, .. DataFiles.SqliteCompanions.Select(s => database + s)];
        foreach (var file in files)
        {
            File.WriteAllText(file, "");
            File.SetUnixFileMode(file, Loose);
        }

        new DataFiles(folder, database).Secure(Logger());

        Assert.Equal(OwnerOnlyFiles.FolderMode, File.GetUnixFileMode(folder));
        Assert.All(files, file => Assert.Equal(OwnerOnlyFiles.FileMode, File.GetUnixFileMode(file)));
        Assert.Equal(files.Length + 1, _logs.Lines.Count(line => line.Contains("Tightened the permissions of", StringComparison.Ordinal)));
        Assert.Contains(_logs.Lines, line => line.Contains($"{database}-wal from 0644 to 0600", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, line => line.Contains($"{folder} from 0755 to 0700", StringComparison.Ordinal));
    }

    [UnixFact]
    public void Secure_OwnerOnlyAlready_ChangesAndLogsNothing()
    {
        var folder = Path.Combine(_root, "data");
        new DataFiles(folder, Path.Combine(folder, "portal.db")).Secure(Logger());

        new DataFiles(folder, Path.Combine(folder, "portal.db")).Secure(Logger());

        Assert.Empty(_logs.Lines);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared")]
    [InlineData("Data Source=file:portal.db?mode=ro")]
    [InlineData("Data Source=|DataDirectory|portal.db")]
    [InlineData("")]
    public void SqliteFileOf_NotAPlainFile_IsNull(string connectionString) =>
        Assert.Null(DataFiles.SqliteFileOf(connectionString));

    [Fact]
    public void SqliteFileOf_RelativePath_IsMadeAbsolute() =>
        Assert.Equal(Path.GetFullPath("portal.db"), DataFiles.SqliteFileOf("Data Source=portal.db"));

    private ILogger Logger() => _logs.CreateLogger("test");
}
