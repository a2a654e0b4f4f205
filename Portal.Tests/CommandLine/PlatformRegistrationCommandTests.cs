using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.CommandLine;

/// <summary><c>platform registration open|invitation-only</c>, run as a process on a fresh data folder with no administrator.</summary>
public sealed class PlatformRegistrationCommandTests : IAsyncLifetime
{
    private readonly CommandLineData _data = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _data.DisposeAsync();

    [Fact]
    public async Task PlatformRegistration_OpenThenInvitationOnly_SetsPrintsAndAuditsAsCommandLine()
    {
        var open = await PortalProcess.RunAsync(_data.Folder, ["platform", "registration", "open"]);

        Assert.True(open.ExitCode == 0, open.ToString());
        Assert.Equal("open" + Environment.NewLine, open.StandardOutput);
        Assert.Equal(RegistrationMode.Open, await ModeAsync());

        var closed = await PortalProcess.RunAsync(_data.Folder, ["platform", "registration", "invitation-only"]);

        Assert.True(closed.ExitCode == 0, closed.ToString());
        Assert.Equal("invitation-only" + Environment.NewLine, closed.StandardOutput);
        Assert.Equal(RegistrationMode.InvitationOnly, await ModeAsync());
        await using var scope = _data.Services.CreateAsyncScope();
        var records = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .Where(a => a.Action == AuditActions.RegistrationChanged).ToListAsync();
        Assert.Equal(2, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(Channels.CommandLine, r.Channel);
            Assert.StartsWith("cli:", r.Actor, StringComparison.Ordinal);
            Assert.Null(r.OrganizationId);
            Assert.Null(r.ActorId);
        });
        Assert.Contains(records, r => r.Details == """{"before":"invitation-only","after":"open"}""");
        Assert.Contains(records, r => r.Details == """{"before":"open","after":"invitation-only"}""");
    }

    [Theory]
    [InlineData("'platform registration' needs open|invitation-only", "platform", "registration")]
    [InlineData("needs open|invitation-only", "platform", "registration", "--mode", "open")]
    [InlineData("registration must be 'open' or 'invitation-only', not 'closed'", "platform", "registration", "closed")]
    [InlineData("unexpected argument 'now'", "platform", "registration", "open", "now")]
    [InlineData("unknown command 'platform usage'", "platform", "usage")]
    public async Task PlatformRegistration_BadInput_ExitsNonZeroWithUsageAndChangesNothing(string message, params string[] arguments)
    {
        var before = await PortalProcess.RunAsync(_data.Folder, ["platform", "registration", "open"]);
        Assert.True(before.ExitCode == 0, before.ToString());

        var outcome = await PortalProcess.RunAsync(_data.Folder, arguments);

        Assert.True(outcome.ExitCode != 0, outcome.ToString());
        Assert.Contains(message, outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("platform registration open|invitation-only", outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal("", outcome.StandardOutput);
        Assert.Equal(RegistrationMode.Open, await ModeAsync());
    }

    private async Task<RegistrationMode> ModeAsync()
    {
        await using var scope = _data.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformRegistration>().GetAsync();
    }
}
