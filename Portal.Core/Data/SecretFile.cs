namespace Portal.Core.Data;

/// <summary>
/// A secret kept in the data folder (peppers, the Data Protection master key): created once with
/// owner-only permissions (0600, in a folder created 0700), then read. Safe when several processes
/// start at once. A file made looser later is tightened at start by <see cref="DataFiles.Secure"/>.
/// </summary>
public static class SecretFile
{
    public static string ReadOrCreate(string path, Func<string> create)
    {
        if (!File.Exists(path))
        {
            OwnerOnlyFiles.CreateFolder(Path.GetDirectoryName(path)!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var writer = new StreamWriter(new FileStream(path, options));
                writer.Write(create());
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; read theirs.
            }
        }

        return File.ReadAllText(path);
    }
}
