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
    public static CompiledAccess None { get; } = new([], null);

    public CompiledAccess(IReadOnlyList<CompiledGrant> grants, AccessSchedule? keySchedule)
    {
        Grants = [.. grants];
        KeySchedule = keySchedule is null ? null : CompiledSchedule.Compile(keySchedule);
        Scopes = [.. Grants.Select(g => g.Scope).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        HasConditions = Grants.Any(g => g.Grant.IsConditional);
    }

    public CompiledGrant[] Grants { get; }

    /// <summary>Sorted, distinct scope strings of every grant (what <c>X-Auth-Scopes</c> and verify's <c>scopes</c> carry).</summary>
    public string[] Scopes { get; }

    /// <summary>The key's own time restriction (not-before and weekly windows); null when none.</summary>
    public CompiledSchedule? KeySchedule { get; }

    /// <summary>Whether some grant is limited to resources or a schedule (verify then reports filters).</summary>
    public bool HasConditions { get; }

    /// <summary>
    /// Decides a request. With no required scope only the key's own schedule is checked
    /// (authentication only). Otherwise the first grant that covers the scope, allows the resource
    /// and is open now decides VALID; failing that, the closest miss is reported: outside a time
    /// window, then resource not allowed, then insufficient scope.
    /// </summary>
    public AccessDecision Evaluate(ReadOnlySpan<char> requiredScope, string? resource, DateTimeOffset now)
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

            if (resource is not null && !grant.AllowsResource(resource))
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
    /// The resource filters an app should apply for a scope now: null when some open grant covers it
    /// without limits, else the union of the covering open grants' patterns. Without a scope, every
    /// open grant limited to resources, keyed by its scope.
    /// </summary>
    public IReadOnlyList<ResourceFilter>? FiltersFor(string? scope, DateTimeOffset now)
    {
        if (!HasConditions)
        {
            return null;
        }

        var open = Grants.Where(g => g.Schedule is null || g.Schedule.IsOpen(now));
        if (scope is null)
        {
            var limited = open.Where(g => g.Resources is not null)
                .GroupBy(g => g.Scope, StringComparer.Ordinal)
                .Select(g => new ResourceFilter(g.Key, [.. g.SelectMany(x => x.Resources!).Distinct(StringComparer.Ordinal)]))
                .ToList();
            return limited.Count == 0 ? null : limited;
        }

        var covering = open.Where(g => g.Covers(new RequiredScope(scope))).ToList();
        if (covering.Count == 0 || covering.Any(g => g.Resources is null))
        {
            return null;
        }

        return [new ResourceFilter(scope, [.. covering.SelectMany(g => g.Resources!).Distinct(StringComparer.Ordinal)])];
    }
}

/// <summary>Which resources a scope is limited to (verify's <c>filters</c>).</summary>
public sealed record ResourceFilter(string Scope, IReadOnlyList<string> Resources);
