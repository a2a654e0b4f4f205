using Portal.Core.Validation;

namespace Portal.Core.Access;

/// <summary>Where a key's grant came from: its own list, or a permission set at a version.</summary>
public sealed record GrantOrigin(Guid? SetId = null, string? SetName = null, int SetVersion = 0)
{
    public static GrantOrigin Direct { get; } = new();

    public override string ToString() => SetId is null ? "the key's own grants" : $"permission set '{SetName}' v{SetVersion}";
}

/// <summary>One grant, pre-split so that asking it compares short spans and nothing else.</summary>
public sealed class CompiledGrant
{
    internal CompiledGrant(Grant grant, GrantOrigin origin)
    {
        Grant = grant;
        Origin = origin;
        var scope = grant.Scope;
        var colon = scope.LastIndexOf(':');
        IsSimple = colon == scope.IndexOf(':') && colon > 0;
        Resource = scope[..colon];
        Action = scope[(colon + 1)..];
        Level = Access.Scope.Level(Action);
        Resources = grant.Resources is { Count: > 0 } resources ? [.. resources] : null;
        Schedule = grant.Schedule is null ? null : CompiledSchedule.Compile(grant.Schedule);
    }

    public Grant Grant { get; }

    public GrantOrigin Origin { get; }

    public string Scope => Grant.Scope;

    public string[]? Resources { get; }

    public CompiledSchedule? Schedule { get; }

    private bool IsSimple { get; }

    private string Resource { get; }

    private string Action { get; }

    private int Level { get; }

    internal bool Covers(in RequiredScope required)
    {
        if (!IsSimple || !required.IsSimple)
        {
            return Access.Scope.Satisfies(Grant.Scope, required.Text);
        }

        var resource = required.Resource;
        if (!(Resource is "*" || resource.SequenceEqual(Resource)))
        {
            return false;
        }

        var action = required.Action;
        return Action is "*" || action.SequenceEqual(Action) || (required.Level > 0 && Level >= required.Level);
    }

    internal bool AllowsResource(string resource)
    {
        if (Resources is null)
        {
            return true;
        }

        foreach (var pattern in Resources)
        {
            if (ResourcePattern.Matches(pattern, resource))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A required scope split once per request into spans (no allocation).</summary>
internal readonly ref struct RequiredScope
{
    public RequiredScope(ReadOnlySpan<char> text)
    {
        Text = text;
        var colon = text.LastIndexOf(':');
        IsSimple = colon > 0 && colon == text.IndexOf(':');
        Resource = colon > 0 ? text[..colon] : text;
        Action = colon > 0 ? text[(colon + 1)..] : default;
        Level = Scope.Level(Action);
    }

    public ReadOnlySpan<char> Text { get; }

    public bool IsSimple { get; }

    public ReadOnlySpan<char> Resource { get; }

    public ReadOnlySpan<char> Action { get; }

    public int Level { get; }
}

/// <summary>The outcome of asking a key's access: a reason code and the index of the grant that allowed it (-1 when none).</summary>
public readonly record struct AccessDecision(string Code, int GrantIndex = -1)
{
    public bool IsAllowed => ReferenceEquals(Code, ReasonCodes.Valid);
}

/// <summary>
/// Everything a key may do, compiled once per key snapshot and shared by keys with the same
/// grants: its direct scopes, its conditional grants, its permission sets' grants and its own
/// schedule. Evaluating it walks an array and compares spans: no parsing, no allocation.
/// </summary>
public sealed class CompiledAccess
{
    // Past this many scheduled grants the open set is not remembered as a bit mask, only rebuilt.
    private const int MaxRememberedSchedules = 64;

    // What the key holds when nothing depends on the time (no schedule anywhere); null otherwise.
    private readonly OpenAccess? _timeless;

    // Indexes of the grants with a schedule, and the last open set built for them (by bit mask).
    private readonly int[] _scheduled;
    private OpenSet? _lastOpen;

    public static CompiledAccess None { get; } = new([], null);

    public CompiledAccess(IReadOnlyList<CompiledGrant> grants, AccessSchedule? keySchedule)
    {
        Grants = [.. grants];
        KeySchedule = keySchedule is null ? null : CompiledSchedule.Compile(keySchedule);
        Scopes = [.. Grants.Select(g => g.Scope).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        HasConditions = Grants.Any(g => g.Grant.IsConditional);
        _scheduled = [.. Enumerable.Range(0, Grants.Length).Where(i => Grants[i].Schedule is not null)];
        _timeless = KeySchedule is null && _scheduled.Length == 0 ? Build(static _ => true) : null;
    }

    public CompiledGrant[] Grants { get; }

    /// <summary>
    /// Sorted, distinct scope strings of every grant, whatever its conditions. Not what doors
    /// forward: an upstream is told only what the key holds now without conditions (<see cref="OpenAt"/>).
    /// </summary>
    public string[] Scopes { get; }

    /// <summary>The key's own time restriction (not-before and weekly windows); null when none.</summary>
    public CompiledSchedule? KeySchedule { get; }

    /// <summary>Whether some grant is limited to resources or a schedule (verify then reports filters).</summary>
    public bool HasConditions { get; }

    /// <summary>Whether what the key holds depends on the time: the key or one of its grants has a schedule.</summary>
    public bool HasSchedules => _timeless is null;

    /// <summary>
    /// Decides a request. With no required scope only the key's own schedule is checked
    /// (authentication only). Otherwise the first grant that covers the scope, allows the resource
    /// and is open now decides VALID; failing that, the closest miss is reported: outside a time
    /// window, then resource not allowed, then insufficient scope. A grant limited to resources
    /// allows a request naming no resource only when <paramref name="enforceResourceFilters"/> is
    /// false, that is when its filters travel with the answer (see <see cref="Validation.RequestContext.EnforceResourceFilters"/>).
    /// </summary>
    public AccessDecision Evaluate(ReadOnlySpan<char> requiredScope, string? resource, DateTimeOffset now, bool enforceResourceFilters = false)
    {
        if (KeySchedule is not null && !KeySchedule.IsOpen(now))
        {
            return new(ReasonCodes.OutsideTimeWindow);
        }

        if (requiredScope.IsEmpty)
        {
            return new(ReasonCodes.Valid);
        }

        var required = new RequiredScope(requiredScope);
        var miss = ReasonCodes.InsufficientScope;
        var grants = Grants;
        for (var i = 0; i < grants.Length; i++)
        {
            var grant = grants[i];
            if (!grant.Covers(required))
            {
                continue;
            }

            if (grant.Resources is not null && (resource is null ? enforceResourceFilters : !grant.AllowsResource(resource)))
            {
                if (!ReferenceEquals(miss, ReasonCodes.OutsideTimeWindow))
                {
                    miss = ReasonCodes.ResourceNotAllowed;
                }

                continue;
            }

            if (grant.Schedule is not null && !grant.Schedule.IsOpen(now))
            {
                miss = ReasonCodes.OutsideTimeWindow;
                continue;
            }

            return new(ReasonCodes.Valid, i);
        }

        return new(miss);
    }

    /// <summary>
    /// What the key holds at <paramref name="now"/>, as the doors forward it: the scopes of grants
    /// open now and limited to no resource (<c>X-Auth-Scopes</c>, verify's <c>scopes</c>), and the
    /// filters of grants open now and limited to resources (<c>X-Auth-Resource-Filters</c>, verify's
    /// <c>filters</c>). Nothing while the key's own schedule is closed. Computed once per compiled
    /// access when no schedule is involved; with schedules, the open set is re-read per call
    /// (no allocation) and its answer rebuilt only when it changed.
    /// </summary>
    public OpenAccess OpenAt(DateTimeOffset now)
    {
        if (_timeless is not null)
        {
            return _timeless;
        }

        if (KeySchedule is not null && !KeySchedule.IsOpen(now))
        {
            return OpenAccess.Nothing;
        }

        var scheduled = _scheduled;
        if (scheduled.Length > MaxRememberedSchedules)
        {
            return Build(i => Grants[i].Schedule?.IsOpen(now) ?? true);
        }

        var mask = 0UL;
        for (var i = 0; i < scheduled.Length; i++)
        {
            if (Grants[scheduled[i]].Schedule!.IsOpen(now))
            {
                mask |= 1UL << i;
            }
        }

        // Immutable pairs replaced whole: a reader sees an old or a new pair, never a torn one.
        var last = _lastOpen;
        if (last is not null && last.Mask == mask)
        {
            return last.Access;
        }

        var built = Build(i => Grants[i].Schedule is null || (mask & (1UL << Array.IndexOf(scheduled, i))) != 0);
        _lastOpen = new OpenSet(mask, built);
        return built;
    }

    /// <summary>
    /// The resource filters an app should apply for a scope now: null when some open grant covers it
    /// without limits, else the union of the covering open grants' patterns. Without a scope, the
    /// filters of <see cref="OpenAt"/> (null when there are none).
    /// </summary>
    public IReadOnlyList<ResourceFilter>? FiltersFor(string? scope, DateTimeOffset now)
    {
        if (!HasConditions)
        {
            return null;
        }

        if (scope is null)
        {
            var filters = OpenAt(now).Filters;
            return filters.Length == 0 ? null : filters;
        }

        if (KeySchedule is not null && !KeySchedule.IsOpen(now))
        {
            return null;
        }

        var open = Grants.Where(g => g.Schedule is null || g.Schedule.IsOpen(now));
        var covering = open.Where(g => g.Covers(new RequiredScope(scope))).ToList();
        if (covering.Count == 0 || covering.Any(g => g.Resources is null))
        {
            return null;
        }

        return [new ResourceFilter(scope, [.. covering.SelectMany(g => g.Resources!).Distinct(StringComparer.Ordinal)])];
    }

    // A limited grant whose scope an open unlimited grant already covers adds nothing: listing its
    // filters would only tell the app to narrow what the key holds whole.
    private OpenAccess Build(Func<int, bool> isOpen)
    {
        var open = Enumerable.Range(0, Grants.Length).Where(isOpen).Select(i => Grants[i]).ToList();
        var unlimited = open.Where(g => g.Resources is null).Select(g => g.Scope).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var filters = open
            .Where(g => g.Resources is not null && !unlimited.Any(u => Access.Scope.Satisfies(u, g.Scope)))
            .GroupBy(g => g.Scope, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ResourceFilter(g.Key, [.. g.SelectMany(x => x.Resources!).Distinct(StringComparer.Ordinal)]))
            .ToArray();
        return unlimited.Length == 0 && filters.Length == 0 ? OpenAccess.Nothing : new OpenAccess(unlimited, filters);
    }

    private sealed record OpenSet(ulong Mask, OpenAccess Access);
}

/// <summary>
/// What a key holds at one moment, in the form the doors hand on: scopes it holds whole, and scopes
/// it holds only for some resources with their patterns. Nothing here is more than the key has at
/// that moment, so an upstream that authorizes on these alone is never given more.
/// </summary>
/// <param name="Scopes">Sorted, distinct scopes of open grants limited to no resource.</param>
/// <param name="Filters">Per scope (sorted), the patterns of open grants limited to resources, in grant order, distinct.</param>
public sealed record OpenAccess(string[] Scopes, ResourceFilter[] Filters)
{
    /// <summary>No scope and no filter (the key's own schedule is closed, or it holds nothing).</summary>
    public static OpenAccess Nothing { get; } = new([], []);
}

/// <summary>Which resources a scope is limited to (verify's <c>filters</c>).</summary>
public sealed record ResourceFilter(string Scope, IReadOnlyList<string> Resources);
