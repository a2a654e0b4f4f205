using Microsoft.Extensions.Logging;

namespace Portal.Core.Data;

/// <summary>
/// Owner-only permissions on Unix for what the product keeps on disk: folders 0700 (rwx------),
/// files 0600 (rw-------). Other accounts on the machine can then neither list the data folder
/// nor read the SQLite database, the pepper file or the master key file. Windows is left to the
/// folder's inherited ACLs: these methods do nothing there beyond creating the folder.
/// </summary>
public static partial class OwnerOnlyFiles
{
    /// <summary>0700: the owner may list, enter and write; nobody else may do anything.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>0600: the owner may read and write; nobody else may do anything.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates <paramref name="path"/> (and missing parents) 0700 when it does not exist. An existing
    /// folder keeps its mode: <see cref="Tighten"/> is what changes it, with a log line.
    /// </summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>
    /// Creates an empty file 0600 when none exists, so that whatever writes it next (SQLite) starts
    /// from owner-only instead of the process's umask. An existing file is left as it is.
    /// </summary>
    public static void CreateFile(string path)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        try
        {
            new FileStream(path, options).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile by another process: theirs is tightened like any existing file.
        }
    }

    /// <summary>
    /// Removes every group and other permission from an existing file or folder (what SQLite and the
    /// secret files need is 0600, the folder 0700) and logs the change, naming the path and both modes. Owner bits are kept as they are.
    /// A file of another account, which this process may not change, is logged as a warning and
    /// left alone: refusing to start over it would help nobody.
    /// </summary>
    /// <returns>Whether the mode was changed.</returns>
    public static bool Tighten(string path, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (!Directory.Exists(path) && !File.Exists(path))
        {
            return false;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupAndOthers) == 0)
        {
            return false;
        }

        var tightened = mode & ~GroupAndOthers;
        try
        {
            File.SetUnixFileMode(path, tightened);
        }
        catch (UnauthorizedAccessException)
        {
            LogCannotTighten(logger, path, Octal(mode));
            return false;
        }

        LogTightened(logger, path, Octal(mode), Octal(tightened));
        return true;
    }

    private const UnixFileMode GroupAndOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tightened the permissions of {Path} from {Before} to {After}: only the account the portal runs as may read it.")]
    private static partial void LogTightened(ILogger logger, string path, string before, string after);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Path} has mode {Mode}, readable by other accounts, and this process may not change it: make it owner-only (chmod go-rwx).")]
    private static partial void LogCannotTighten(ILogger logger, string path, string mode);
}
