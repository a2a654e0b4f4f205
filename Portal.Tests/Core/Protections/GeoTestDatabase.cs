using System.Diagnostics;

namespace Portal.Tests.Core.Protections;

/// <summary>
/// The real country database the tests read: <c>PORTAL_TEST_GEO_DATABASE</c> (set by
/// scripts/test.sh), or else the file scripts/fetch-geo-database.sh fetches (run here once when
/// needed). Fails with a message saying how to get it; never skips.
/// </summary>
internal static class GeoTestDatabase
{
    private static readonly Lazy<string> s_path = new(Locate);

    public static string Path => s_path.Value;

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("PORTAL_TEST_GEO_DATABASE");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"PORTAL_TEST_GEO_DATABASE names no file ('{configured}'). Run scripts/fetch-geo-database.sh, or the tests through scripts/test.sh.");
        }

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "Portal.sln")))
        {
            root = root.Parent;
        }

        var script = root is null ? null : System.IO.Path.Combine(root.FullName, "scripts", "fetch-geo-database.sh");
        if (script is null || !File.Exists(script))
        {
            throw new InvalidOperationException("PORTAL_TEST_GEO_DATABASE is not set and scripts/fetch-geo-database.sh was not found. Run the tests through scripts/test.sh.");
        }

        using var process = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var path = output.Trim().Split('\n')[^1].Trim();
        return process.ExitCode == 0 && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"PORTAL_TEST_GEO_DATABASE is not set and scripts/fetch-geo-database.sh failed (exit {process.ExitCode}): {error}");
    }
}
