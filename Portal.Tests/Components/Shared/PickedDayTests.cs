using Portal.Components.Shared;

namespace Portal.Tests.Components.Shared;

public sealed class PickedDayTests
{
    [Fact]
    public void End_CalendarsLastDay_IsTheLatestInstantInsteadOfAnOverflow()
    {
        Assert.Equal(DateTimeOffset.MaxValue, PickedDay.End(DateTime.MaxValue.Date));
    }

    [Fact]
    public void End_AnyOtherDay_IsTheNextDaysStartInUtc()
    {
        Assert.Equal(new DateTimeOffset(2025, 3, 6, 0, 0, 0, TimeSpan.Zero), PickedDay.End(new DateTime(2025, 3, 5, 17, 30, 0)));
        Assert.Null(PickedDay.End(null));
    }
}
