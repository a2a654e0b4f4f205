using Microsoft.Extensions.Time.Testing;
using Portal.Core.Access;

namespace Portal.Tests.Auth;

/// <summary>Moves a fake clock to a wall-clock moment of the week, and the schedule the door tests share.</summary>
public static class WeeklyClock
{
    public const string Zone = "Europe/Berlin";

    /// <summary>Monday to Friday, 08:00 to 18:00 in <see cref="Zone"/>.</summary>
    public static AccessSchedule BusinessHours { get; } =
        new(TimeZone: Zone, Windows: [new WeeklyWindow(["mon", "tue", "wed", "thu", "fri"], "08:00", "18:00")]);

    /// <summary>
    /// Moves the clock forward to the next <paramref name="day"/> at <paramref name="hour"/>:00 in
    /// <see cref="Zone"/> (a fake clock never goes back, so tests sharing one only move it on).
    /// </summary>
    public static DateTimeOffset MoveToNext(this FakeTimeProvider clock, DayOfWeek day, int hour)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone);
        var candidate = local.Date.AddDays(((int)day - (int)local.DayOfWeek + 7) % 7).AddHours(hour);
        if (candidate <= local.DateTime)
        {
            candidate = candidate.AddDays(7);
        }

        // In UTC, as a real clock gives it (PostgreSQL stores only offset zero).
        var at = new DateTimeOffset(candidate, zone.GetUtcOffset(candidate)).ToUniversalTime();
        clock.SetUtcNow(at);
        return at;
    }
}
