using Portal.CommandLine;

namespace Portal.Tests.CommandLine;

/// <summary>Which runs of the program are commands and which start the server.</summary>
public sealed class PortalCommandLineModeTests
{
    [Theory]
    [InlineData("admin", "create")]
    [InlineData("keys", "create")]
    [InlineData("admn", "create")]
    [InlineData("frobnicate")]
    public void IsCommand_BareFirstWord_IsACommandAndHidesArgumentsFromHost(params string[] args)
    {
        Assert.True(PortalCommandLine.IsCommand(args));
        Assert.Empty(PortalCommandLine.HostArguments(args));
    }

    [Theory]
    [InlineData]
    [InlineData("--urls", "http://127.0.0.1:5000")]
    [InlineData("--environment=Development")]
    [InlineData("/contentRoot", "/srv/portal")]
    [InlineData("Database:Provider=PostgreSql")]
    public void IsCommand_HostSettings_StartTheServerWithThem(params string[] args)
    {
        Assert.False(PortalCommandLine.IsCommand(args));
        Assert.Equal(args, PortalCommandLine.HostArguments(args));
    }
}
