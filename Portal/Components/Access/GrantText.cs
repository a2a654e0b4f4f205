using Portal.Core.Access;

namespace Portal.Components.Access;

/// <summary>Grants, schedules and their origins in words, as the portal shows them.</summary>
public static class GrantText
{
    public static string Conditions(Grant grant)
    {
        var resources = grant.Resources is { Count: > 0 } patterns ? "only " + string.Join(", ", patterns) : "all resources";
        return $"{resources}; {Schedule(grant.Schedule)}";
    }

    public static string Schedule(AccessSchedule? schedule)
    {
        if (schedule is null)
        {
            return "always";
        }

        var parts = new List<string>();
        if (schedule.NotBefore is { } from)
        {
            parts.Add($"from {from.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        }

        if (schedule.NotAfter is { } to)
        {
            parts.Add($"until {to.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        }

        foreach (var window in schedule.Windows ?? [])
        {
            parts.Add($"{string.Join(",", window.Days)} {window.Start}–{window.End}");
        }

        if (schedule.Windows is { Count: > 0 } && schedule.TimeZone is { } zone)
        {
            parts.Add($"({zone})");
        }

        return parts.Count == 0 ? "always" : string.Join(" ", parts);
    }

    public static string Origin(GrantOrigin origin) =>
        origin.SetId is null ? "direct" : $"set {origin.SetName} v{origin.SetVersion}";
}
