using Portal.Core;
using Portal.Core.Access;

namespace Portal.Tests.Core.Access;

/// <summary>Weekly windows in IANA zones, including the days clocks change.</summary>
public sealed class CompiledScheduleTests
{
    private static readonly AccessSchedule BerlinOfficeHours =
        new(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "08:00", "18:00")]);

    private static readonly AccessSchedule NewYorkOfficeHours =
        new(TimeZone: "America/New_York", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "08:00", "18:00")]);

    // Berlin: CET (UTC+1) until 2026-03-29 01:00 UTC, then CEST (UTC+2); back to CET on 2026-10-25 01:00 UTC.
    // New York: EST (UTC-5) until 2026-03-08 07:00 UTC, then EDT (UTC-4); back to EST on 2026-11-01 06:00 UTC.
    [Theory]
    [InlineData("2026-03-28T06:30:00Z", false)] // 07:30 CET, the day before the change
    [InlineData("2026-03-28T07:00:00Z", true)] // 08:00 CET
    [InlineData("2026-03-29T06:00:00Z", true)] // 08:00 CEST, the day of the change
    [InlineData("2026-03-29T05:59:00Z", false)] // 07:59 CEST
    [InlineData("2026-03-29T15:59:00Z", true)] // 17:59 CEST
    [InlineData("2026-03-29T16:00:00Z", false)] // 18:00 CEST
    [InlineData("2026-10-25T06:59:00Z", false)] // 07:59 CET, the day clocks go back
    [InlineData("2026-10-25T07:00:00Z", true)] // 08:00 CET
    [InlineData("2026-10-25T16:59:00Z", true)] // 17:59 CET
    public void Berlin_WindowFollowsWallClockAcrossDaylightSaving(string utc, bool open) =>
        Assert.Equal(open, CompiledSchedule.Compile(BerlinOfficeHours).IsOpen(DateTimeOffset.Parse(utc)));

    [Theory]
    [InlineData("2026-03-07T13:00:00Z", true)] // 08:00 EST
    [InlineData("2026-03-08T12:30:00Z", true)] // 08:30 EDT, the day of the change
    [InlineData("2026-03-08T11:59:00Z", false)] // 07:59 EDT
    [InlineData("2026-03-08T22:00:00Z", false)] // 18:00 EDT
    [InlineData("2026-11-01T12:59:00Z", false)] // 07:59 EST, the day clocks go back
    [InlineData("2026-11-01T13:00:00Z", true)] // 08:00 EST
    public void NewYork_WindowFollowsWallClockAcrossDaylightSaving(string utc, bool open) =>
        Assert.Equal(open, CompiledSchedule.Compile(NewYorkOfficeHours).IsOpen(DateTimeOffset.Parse(utc)));

    [Theory]
    [InlineData("2026-06-05T15:59:00Z", true)] // Friday 17:59 Berlin
    [InlineData("2026-06-06T10:00:00Z", false)] // Saturday
    [InlineData("2026-06-08T06:00:00Z", true)] // Monday 08:00
    public void Weekdays_OnlyNamedDaysOpen(string utc, bool open)
    {
        var schedule = new AccessSchedule(TimeZone: "Europe/Berlin", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "08:00", "18:00")]);

        Assert.Equal(open, CompiledSchedule.Compile(schedule).IsOpen(DateTimeOffset.Parse(utc)));
    }

    [Fact]
    public void Bounds_NotBeforeInclusive_NotAfterExclusive()
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var schedule = CompiledSchedule.Compile(new AccessSchedule(from, from.AddDays(1)));

        Assert.False(schedule.IsOpen(from.AddTicks(-1)));
        Assert.True(schedule.IsOpen(from));
        Assert.False(schedule.IsOpen(from.AddDays(1)));
    }

    [Fact]
    public void EndOfDay_2400_CoversTheLastMinute()
    {
        var schedule = CompiledSchedule.Compile(new AccessSchedule(TimeZone: "UTC", Windows: [new WeeklyWindow(["mon"], "22:00", "24:00")]));

        Assert.True(schedule.IsOpen(new DateTimeOffset(2026, 6, 1, 23, 59, 0, TimeSpan.Zero)));
        Assert.False(schedule.IsOpen(new DateTimeOffset(2026, 6, 2, 0, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("Mars/Olympus", null, null, null, "schedule.timeZone")]
    [InlineData(null, "mon", "08:00", "18:00", "schedule.timeZone")]
    [InlineData("Europe/Berlin", "mon", "18:00", "08:00", "schedule.windows[0].end")]
    [InlineData("Europe/Berlin", "mon", "08:00", "08:00", "schedule.windows[0].end")]
    [InlineData("Europe/Berlin", "mon", "8am", "18:00", "schedule.windows[0].start")]
    [InlineData("Europe/Berlin", "mon", "08:00", "25:00", "schedule.windows[0].end")]
    [InlineData("Europe/Berlin", "monday", "08:00", "18:00", "schedule.windows[0].days")]
    [InlineData("Europe/Berlin", "", "08:00", "18:00", "schedule.windows[0].days")]
    public void Validate_BadSchedule_NamesTheField(string? zone, string? day, string? start, string? end, string field)
    {
        var windows = day is null ? null : new[] { new WeeklyWindow(day.Length == 0 ? [] : [day], start!, end!) };
        var errors = new Dictionary<string, string[]>();

        CompiledSchedule.Validate(new AccessSchedule(TimeZone: zone, Windows: windows), "schedule", errors);

        Assert.Contains(field, errors.Keys);
        Assert.Throws<InvalidRequestException>(() => CompiledSchedule.Compile(new AccessSchedule(TimeZone: zone, Windows: windows)));
    }

    [Fact]
    public void Validate_OverlappingWindowsOnADay_AreRefused()
    {
        var errors = new Dictionary<string, string[]>();
        var schedule = new AccessSchedule(TimeZone: "Europe/Berlin", Windows:
        [
            new WeeklyWindow(["mon", "tue"], "08:00", "12:00"),
            new WeeklyWindow(["tue"], "11:00", "14:00"),
        ]);

        CompiledSchedule.Validate(schedule, "schedule", errors);

        Assert.Contains("tue", Assert.Single(errors["schedule.windows"]));
    }

    [Fact]
    public void Validate_NotAfterBeforeNotBefore_IsRefused()
    {
        var errors = new Dictionary<string, string[]>();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        CompiledSchedule.Validate(new AccessSchedule(at, at), "schedule", errors);

        Assert.Contains("schedule.notAfter", errors.Keys);
    }

    [Fact]
    public void Validate_WindowNamingEveryDayOnce_IsAcceptedAndOpenEveryDay()
    {
        var errors = new Dictionary<string, string[]>();
        var schedule = new AccessSchedule(TimeZone: "UTC", Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "00:00", "24:00")]);

        CompiledSchedule.Validate(schedule, "schedule", errors);

        Assert.Empty(errors);
        var compiled = CompiledSchedule.Compile(schedule);
        Assert.All(Enumerable.Range(0, 7), d => Assert.True(compiled.IsOpen(new DateTimeOffset(2026, 3, 2 + d, 12, 0, 0, TimeSpan.Zero))));
    }

    [Theory]
    [InlineData(8, "at most 7 days")]
    [InlineData(170_000, "at most 7 days")]
    public void Validate_WindowNamingMoreThanSevenDays_IsRefusedNamingTheDays(int count, string message)
    {
        var errors = new Dictionary<string, string[]>();
        var days = Enumerable.Range(0, count).Select(i => i < 7 ? new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" }[i] : "mon").ToList();

        CompiledSchedule.Validate(new AccessSchedule(TimeZone: "UTC", Windows: [new WeeklyWindow(days, "09:00", "17:00")]), "schedule", errors);

        Assert.Contains(message, Assert.Single(errors["schedule.windows[0].days"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DayNamedTwiceInOneWindow_IsRefusedNamingIt()
    {
        var errors = new Dictionary<string, string[]>();

        CompiledSchedule.Validate(new AccessSchedule(TimeZone: "UTC", Windows: [new WeeklyWindow(["mon", " Mon"], "09:00", "17:00")]), "schedule", errors);

        Assert.Contains("'mon' is named twice", Assert.Single(errors["schedule.windows[0].days"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FourteenWindowsThatDoNotOverlap_AreAcceptedAndAFifteenthRefused()
    {
        string[] week = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        var windows = week.Select(d => new WeeklyWindow([d], "08:00", "12:00")).Concat(week.Select(d => new WeeklyWindow([d], "13:00", "17:00"))).ToList();
        var fits = new Dictionary<string, string[]>();
        var tooMany = new Dictionary<string, string[]>();

        CompiledSchedule.Validate(new AccessSchedule(TimeZone: "UTC", Windows: windows), "schedule", fits);
        CompiledSchedule.Validate(new AccessSchedule(TimeZone: "UTC", Windows: [.. windows, new WeeklyWindow(["mon"], "18:00", "19:00")]), "schedule", tooMany);

        Assert.Empty(fits);
        Assert.Contains("at most 14 windows", Assert.Single(tooMany["schedule.windows"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WindowsOverlappingOnlyWithAnEarlierOneThatIsNotTheirNeighbour_AreRefused()
    {
        var errors = new Dictionary<string, string[]>();
        var schedule = new AccessSchedule(TimeZone: "UTC", Windows:
        [
            new WeeklyWindow(["wed"], "08:00", "18:00"),
            new WeeklyWindow(["wed"], "09:00", "10:00"),
            new WeeklyWindow(["wed"], "16:00", "17:00"),
        ]);

        CompiledSchedule.Validate(schedule, "schedule", errors);

        Assert.Contains("wed", Assert.Single(errors["schedule.windows"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TimeZoneLongerThanAnyIanaId_IsRefusedNamingIt()
    {
        var errors = new Dictionary<string, string[]>();

        CompiledSchedule.Validate(new AccessSchedule(TimeZone: "Europe/" + new string('x', AccessSchedule.MaxTimeZoneLength)), "schedule", errors);

        Assert.Contains("schedule.timeZone", errors.Keys);
    }
}
