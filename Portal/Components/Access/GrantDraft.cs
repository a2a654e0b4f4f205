using Portal.Core.Access;

namespace Portal.Components.Access;

/// <summary>
/// A grant being edited in the portal: a scope with optional resource patterns and weekly windows.
/// Bounds an existing grant carries (not-before, not-after) are kept unless removed.
/// </summary>
public sealed class GrantDraft
{
    public static readonly IReadOnlyList<string> DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public GrantDraft(string scope) => Scope = scope;

    public string Scope { get; }

    public List<string> Resources { get; } = [];

    public string? TimeZone { get; set; }

    public List<WindowDraft> Windows { get; } = [];

    public DateTimeOffset? NotBefore { get; set; }

    public DateTimeOffset? NotAfter { get; set; }

    /// <summary>Whether the conditions editor is open (a view state, not part of the grant).</summary>
    public bool Expanded { get; set; }

    public bool IsConditional => Resources.Count > 0 || Windows.Count > 0 || NotBefore is not null || NotAfter is not null;

    public static GrantDraft From(Grant grant)
    {
        var draft = new GrantDraft(grant.Scope)
        {
            TimeZone = grant.Schedule?.TimeZone,
            NotBefore = grant.Schedule?.NotBefore,
            NotAfter = grant.Schedule?.NotAfter,
        };
        draft.Resources.AddRange(grant.Resources ?? []);
        draft.Windows.AddRange((grant.Schedule?.Windows ?? []).Select(w => new WindowDraft
        {
            Days = [.. w.Days],
            Start = w.Start,
            End = w.End,
        }));
        return draft;
    }

    public Grant ToGrant()
    {
        AccessSchedule? schedule = null;
        if (Windows.Count > 0 || NotBefore is not null || NotAfter is not null)
        {
            schedule = new AccessSchedule(
                NotBefore,
                NotAfter,
                string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZone.Trim(),
                Windows.Count == 0 ? null : [.. Windows.Select(w => w.ToWindow())]);
        }

        return new Grant(Scope, Resources.Count == 0 ? null : [.. Resources], schedule);
    }
}

/// <summary>One weekly window being edited: days and wall-clock start and end.</summary>
public sealed class WindowDraft
{
    public HashSet<string> Days { get; set; } = ["mon", "tue", "wed", "thu", "fri"];

    public string Start { get; set; } = "09:00";

    public string End { get; set; } = "17:00";

    // Days in week order, so the same window always serialises the same way.
    public WeeklyWindow ToWindow() => new([.. GrantDraft.DayNames.Where(Days.Contains)], Start.Trim(), End.Trim());
}
