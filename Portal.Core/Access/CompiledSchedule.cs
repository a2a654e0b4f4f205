using System.Globalization;

namespace Portal.Core.Access;

/// <summary>
/// An <see cref="AccessSchedule"/> turned into numbers: bounds as ticks and, per day of the week,
/// sorted minute intervals. Asking it allocates nothing; the time zone's rules (daylight saving
/// included) come from <see cref="TimeZoneInfo"/>.
/// </summary>
public sealed class CompiledSchedule
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly long _notBefore;
    private readonly long _notAfter;
    private readonly TimeZoneInfo? _zone;

    // Indexed by DayOfWeek; each day's [start, end) minute pairs, sorted; null when no windows are set.
    private readonly int[][]? _days;

    private CompiledSchedule(long notBefore, long notAfter, TimeZoneInfo? zone, int[][]? days)
    {
        _notBefore = notBefore;
        _notAfter = notAfter;
        _zone = zone;
        _days = days;
    }

    /// <summary>
    /// About how many bytes this schedule holds on the heap (object headers, the seven day arrays
    /// and their minutes); the time zone is shared by every schedule and not counted.
    /// </summary>
    public long EstimatedBytes => 48 + (_days is null ? 0 : 56 + _days.Sum(d => 24L + (4L * d.Length)));

    public bool IsOpen(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        if ((_notBefore != 0 && ticks < _notBefore) || (_notAfter != 0 && ticks >= _notAfter))
        {
            return false;
        }

        if (_days is null)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(now, _zone!);
        var minute = (local.Hour * 60) + local.Minute;
        var intervals = _days[(int)local.DayOfWeek];
        for (var i = 0; i < intervals.Length; i += 2)
        {
            if (minute >= intervals[i] && minute < intervals[i + 1])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Compiles a schedule that <see cref="Validate"/> accepted.</summary>
    public static CompiledSchedule Compile(AccessSchedule schedule)
    {
        var errors = new Dictionary<string, string[]>();
        var compiled = TryCompile(schedule, "schedule", errors);
        return compiled ?? throw new InvalidRequestException(errors);
    }

    /// <summary>Checks a schedule, adding messages named after <paramref name="field"/> to <paramref name="errors"/>.</summary>
    public static void Validate(AccessSchedule? schedule, string field, Dictionary<string, string[]> errors)
    {
        if (schedule is not null)
        {
            TryCompile(schedule, field, errors);
        }
    }

    private static CompiledSchedule? TryCompile(AccessSchedule schedule, string field, Dictionary<string, string[]> errors)
    {
        var before = errors.Count;
        if (schedule.NotBefore is { } from && schedule.NotAfter is { } to && from >= to)
        {
            errors[$"{field}.notAfter"] = ["notAfter must be later than notBefore."];
        }

        TimeZoneInfo? zone = null;
        var windows = schedule.Windows ?? [];
        if (schedule.TimeZone is not null)
        {
            // IANA ids are short (the longest is about 30 characters): a longer one is refused unread.
            if (schedule.TimeZone.Length > AccessSchedule.MaxTimeZoneLength
                || !TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZone, out zone) || !zone.HasIanaId)
            {
                errors[$"{field}.timeZone"] = [$"'{Shorten(schedule.TimeZone)}' is not an IANA time zone such as Europe/Berlin."];
            }
        }
        else if (windows.Count > 0)
        {
            errors[$"{field}.timeZone"] = ["Weekly windows need a time zone (an IANA id such as Europe/Berlin)."];
        }

        // Counts are checked before any list is walked: the work below is bounded by
        // MaxWindows × MaxDays whatever a request body holds.
        if (windows.Count > AccessSchedule.MaxWindows)
        {
            errors[$"{field}.windows"] = [$"A schedule can have at most {AccessSchedule.MaxWindows} windows."];
            return null;
        }

        var days = new List<int>[7];
        for (var i = 0; i < 7; i++)
        {
            days[i] = [];
        }

        // Field names are built only for a message: an accepted schedule allocates none.
        string Name(int index) => $"{field}.windows[{index}]";
        for (var w = 0; w < windows.Count; w++)
        {
            var window = windows[w];
            if (window is null)
            {
                errors[Name(w)] = ["A window cannot be null."];
                continue;
            }

            var start = ParseMinute(window.Start, allowEndOfDay: false);
            var end = ParseMinute(window.End, allowEndOfDay: true);
            if (start < 0)
            {
                errors[$"{Name(w)}.start"] = [$"'{Shorten(window.Start)}' is not a time of day (HH:mm)."];
            }

            if (end < 0)
            {
                errors[$"{Name(w)}.end"] = [$"'{Shorten(window.End)}' is not a time of day (HH:mm, or 24:00)."];
            }
            else if (start >= 0 && end <= start)
            {
                errors[$"{Name(w)}.end"] = ["The window must end after it starts; split a window across midnight into two."];
            }

            if (window.Days is not { Count: > 0 })
            {
                errors[$"{Name(w)}.days"] = ["Name at least one day (mon, tue, wed, thu, fri, sat, sun)."];
                continue;
            }

            if (window.Days.Count > WeeklyWindow.MaxDays)
            {
                errors[$"{Name(w)}.days"] = [$"A window names at most {WeeklyWindow.MaxDays} days, each once (mon, tue, wed, thu, fri, sat, sun)."];
                continue;
            }

            var named = 0;
            foreach (var day in window.Days)
            {
                var index = DayIndex(day);
                if (index < 0)
                {
                    errors[$"{Name(w)}.days"] = [$"'{Shorten(day)}' is not a day: use mon, tue, wed, thu, fri, sat or sun."];
                }
                else if ((named & (1 << index)) != 0)
                {
                    errors[$"{Name(w)}.days"] = [$"'{DayNames[index]}' is named twice in one window."];
                }
                else
                {
                    named |= 1 << index;
                    if (start >= 0 && end > start)
                    {
                        days[index].Add(start);
                        days[index].Add(end);
                    }
                }
            }
        }

        if (errors.Count != before)
        {
            return null;
        }

        // Each day holds at most MaxWindows intervals: sorted by start, two overlap only if neighbours do.
        var sorted = new int[7][];
        for (var d = 0; d < 7; d++)
        {
            var pairs = SortedPairs(days[d]);
            for (var i = 2; i < pairs.Length; i += 2)
            {
                if (pairs[i] < pairs[i - 1])
                {
                    errors[$"{field}.windows"] = [$"Two windows overlap on {DayNames[d]}; merge them into one."];
                    return null;
                }
            }

            sorted[d] = pairs;
        }

        return new CompiledSchedule(
            schedule.NotBefore?.UtcTicks ?? 0,
            schedule.NotAfter?.UtcTicks ?? 0,
            zone,
            windows.Count > 0 ? sorted : null);
    }

    // mon…sun in any case, spaces around allowed; -1 for anything else. Allocates nothing.
    private static int DayIndex(string? day)
    {
        var text = day.AsSpan().Trim();
        for (var i = 0; i < DayNames.Length; i++)
        {
            if (text.Equals(DayNames[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    // [start, end) pairs ordered by start: an insertion sort, as a day holds at most MaxWindows of them.
    private static int[] SortedPairs(List<int> flat)
    {
        var pairs = flat.ToArray();
        for (var i = 2; i < pairs.Length; i += 2)
        {
            var (start, end) = (pairs[i], pairs[i + 1]);
            var j = i - 2;
            while (j >= 0 && pairs[j] > start)
            {
                pairs[j + 2] = pairs[j];
                pairs[j + 3] = pairs[j + 1];
                j -= 2;
            }

            pairs[j + 2] = start;
            pairs[j + 3] = end;
        }

        return pairs;
    }

    private static int ParseMinute(string? value, bool allowEndOfDay)
    {
        if (allowEndOfDay && value == "24:00")
        {
            return 24 * 60;
        }

        return TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? (time.Hour * 60) + time.Minute
            : -1;
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 40 ? value : value[..40] + "…";
}
