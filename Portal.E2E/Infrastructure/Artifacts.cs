namespace Portal.E2E.Infrastructure;

/// <summary>Where the end-to-end tests keep what a person would want to see after a run.</summary>
public static class Artifacts
{
    /// <summary>The screenshot folder; relative paths are taken from the repository root.</summary>
    public const string Variable = "PORTAL_E2E_ARTIFACTS";

    public static string ScreenshotDirectory { get; } = ResolveScreenshotDirectory();

    private static string ResolveScreenshotDirectory()
    {
        var root = RepositoryRoot();
        var configured = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(root, "artifacts", "screenshots")
            : Path.GetFullPath(configured, root);
    }

    // The test assembly runs from Portal.E2E/bin/<configuration>/<framework>/; the repository root
    // is the nearest folder above it holding the solution. Fall back to the working directory for
    // a test assembly copied elsewhere.
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Portal.sln")))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
