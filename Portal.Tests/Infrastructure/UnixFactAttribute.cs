namespace Portal.Tests.Infrastructure;

/// <summary>A fact about Unix file modes: skipped on Windows, where files have ACLs instead.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "File modes are Unix permissions.";
        }
    }
}
