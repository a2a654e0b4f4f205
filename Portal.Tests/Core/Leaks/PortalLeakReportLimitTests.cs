using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Leaks;

namespace Portal.Tests.Core.Leaks;

/// <summary>The portal form's allowance: a fixed number of reports per person and hour.</summary>
public sealed class PortalLeakReportLimitTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryTake_TwentyPerHour_TheTwentyFirstIsRefused_UntilTheHourEnds()
    {
        var limit = new PortalLeakReportLimit(Options.Create(new LeakReportOptions()), _clock);
        var user = Guid.NewGuid();

        Assert.All(Enumerable.Range(0, 20), _ => Assert.True(limit.TryTake(user)));
        Assert.False(limit.TryTake(user));
        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.False(limit.TryTake(user));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(limit.TryTake(user));
    }

    [Fact]
    public void TryTake_EachPersonHasTheirOwnAllowance()
    {
        var limit = new PortalLeakReportLimit(Options.Create(new LeakReportOptions { PortalReportsPerHour = 1 }), _clock);
        var first = Guid.NewGuid();

        Assert.True(limit.TryTake(first));
        Assert.False(limit.TryTake(first));
        Assert.True(limit.TryTake(Guid.NewGuid()));
    }

    [Fact]
    public void TryTake_ManyPeople_EndedWindowsAreForgotten()
    {
        var limit = new PortalLeakReportLimit(Options.Create(new LeakReportOptions { PortalReportsPerHour = 1 }), _clock);
        var early = Guid.NewGuid();
        Assert.True(limit.TryTake(early));
        foreach (var _ in Enumerable.Range(0, 10_001))
        {
            limit.TryTake(Guid.NewGuid());
        }

        _clock.Advance(PortalLeakReportLimit.Window);
        // The sweep runs on this call; the early user's ended window is gone, so they may report again.
        Assert.True(limit.TryTake(Guid.NewGuid()));
        Assert.True(limit.TryTake(early));
        Assert.False(limit.TryTake(early));
    }
}
