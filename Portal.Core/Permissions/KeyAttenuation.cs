using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Protections;

namespace Portal.Core.Permissions;

/// <summary>
/// What a key may give when it manages keys (<c>/api/v1/keys</c> called with a key): never more than
/// it holds itself. A grant is covered by one of the acting key's grants when that grant's scope
/// satisfies it (<see cref="Scope.Satisfies"/>), its resource patterns are no wider, and its schedule is
/// the same or the acting grant has none; the acting key's own schedule and expiry bind what it makes.
/// Each check is linear in the grants given times the grants held (both bounded, at most
/// <see cref="Scope.MaxPerKey"/> direct grants plus the sets').
/// </summary>
public static class KeyAttenuation
{
    /// <summary>Every grant a key holds: its scopes as unconditional grants, its direct grants, and its sets' grants.</summary>
    public static List<Grant> GrantsOf(IEnumerable<string> scopes, IEnumerable<Grant> grants, IEnumerable<PermissionSet> sets)
    {
        var all = new List<Grant>();
        all.AddRange(scopes.Select(s => new Grant(s)));
        all.AddRange(grants);
        foreach (var set in sets)
        {
            all.AddRange(set.Grants);
        }

        return all;
    }

    /// <summary>What a key created or changed through <paramref name="acting"/> would be, or null when it stays within it.</summary>
    public static string? Exceeds(ApiKey acting, KeyShape wanted)
    {
        // Test and live are separate worlds (as in Stripe's modes): a key gives keys of its own environment only.
        if (acting.Environment != wanted.Environment)
        {
            return $"The key you are using is a {Name(acting.Environment)} key; it creates and changes {Name(acting.Environment)} keys only.";
        }

        if (acting.ApiIds.Count > 0 && (wanted.ApiIds.Count == 0 || wanted.ApiIds.Any(id => !acting.ApiIds.Contains(id))))
        {
            return "The key you are using is limited to some APIs; a key it creates or changes must be limited to those APIs or fewer.";
        }

        var held = GrantsOf(acting.Scopes, acting.Grants, acting.PermissionSets);
        foreach (var grant in wanted.Grants)
        {
            if (!held.Exists(h => Covers(h, grant)))
            {
                return $"The key you are using does not hold '{Describe(grant)}', so it cannot give it.";
            }
        }

        if (acting.Schedule is not null && !SameSchedule(acting.Schedule, wanted.Schedule))
        {
            return "The key you are using is limited to a schedule; a key it creates or changes must carry the same schedule.";
        }

        if (acting.ExpiresAt is { } end && (wanted.ExpiresAt is null || wanted.ExpiresAt > end))
        {
            return $"The key you are using expires at {end:yyyy-MM-dd HH:mm} UTC; a key it creates or changes must expire by then.";
        }

        return ExceedsProtections(acting.Protections, wanted.Protections ?? RequestProtections.None);
    }

    // A key bound to networks or countries gives keys bound at least as tightly: otherwise a key
    // leaked from inside an allowlist would mint an unbound one.
    private static string? ExceedsProtections(RequestProtections acting, RequestProtections wanted)
    {
        // Limits do not add up across keys: a key bound by rate limits or a quota that minted others
        // would hand out fresh budgets. It creates and changes no other key.
        if ((acting.RateLimits?.Count ?? 0) > 0 || acting.Quota is not null)
        {
            return "The key you are using has rate limits or a quota; it cannot create or change other keys, whose budgets would not count against its own.";
        }

        if (acting.IpAllowlist is { Count: > 0 } held)
        {
            var networks = held.Select(n => System.Net.IPNetwork.TryParse(n, out var network) ? network : (System.Net.IPNetwork?)null).OfType<System.Net.IPNetwork>().ToList();
            var given = wanted.IpAllowlist ?? [];
            if (given.Count == 0 || given.Any(entry => !System.Net.IPNetwork.TryParse(entry, out var w)
                || !networks.Any(n => n.BaseAddress.AddressFamily == w.BaseAddress.AddressFamily && n.PrefixLength <= w.PrefixLength && n.Contains(w.BaseAddress))))
            {
                return "The key you are using has an IP allowlist; a key it creates or changes must have one within it.";
            }
        }

        if (acting.Countries?.Allow is { Count: > 0 } allowed && (wanted.Countries?.Allow is not { Count: > 0 } given2 || given2.Any(c => !allowed.Contains(c, StringComparer.OrdinalIgnoreCase))))
        {
            return "The key you are using may be used from some countries only; a key it creates or changes must allow those countries or fewer.";
        }

        if (acting.Countries?.Deny is { Count: > 0 } denied && denied.Any(c => !(wanted.Countries?.Deny ?? []).Contains(c, StringComparer.OrdinalIgnoreCase)))
        {
            return "The key you are using denies some countries; a key it creates or changes must deny them too.";
        }

        return null;
    }

    /// <summary>The shape of a key <paramref name="key"/> as it stands.</summary>
    public static KeyShape ShapeOf(ApiKey key) =>
        new(GrantsOf(key.Scopes, key.Grants, key.PermissionSets), key.Schedule, key.ExpiresAt, key.ApiIds, key.Environment, key.Protections);

    /// <summary>Whether <paramref name="held"/> allows everything <paramref name="wanted"/> allows.</summary>
    public static bool Covers(Grant held, Grant wanted)
    {
        if (!Scope.Satisfies(held.Scope, wanted.Scope))
        {
            return false;
        }

        if (held.Resources is { Count: > 0 } heldPatterns)
        {
            // An unlimited grant is wider than any limited one; each wanted pattern must sit inside a held one.
            if (wanted.Resources is not { Count: > 0 } wantedPatterns || !wantedPatterns.All(p => heldPatterns.Any(h => PatternCovers(h, p))))
            {
                return false;
            }
        }

        return held.Schedule is null || SameSchedule(held.Schedule, wanted.Schedule);
    }

    // Equal, a held pattern matching a literal wanted one, or a held trailing '*' prefix of the wanted pattern.
    private static bool PatternCovers(string held, string wanted)
    {
        if (held == wanted)
        {
            return true;
        }

        if (!wanted.Contains('*'))
        {
            return ResourcePattern.Matches(held, wanted);
        }

        return held.IndexOf('*') == held.Length - 1 && wanted.StartsWith(held[..^1], StringComparison.Ordinal);
    }

    private static bool SameSchedule(AccessSchedule held, AccessSchedule? wanted) =>
        wanted is not null && new Grant("x:x", null, held).Canonical() == new Grant("x:x", null, wanted).Canonical();

    private static string Name(KeyEnvironment environment) => environment == KeyEnvironment.Live ? "live" : "test";

    private static string Describe(Grant grant) =>
        grant.IsConditional ? $"{grant.Scope} (with its resource or schedule limits)" : grant.Scope;
}

/// <summary>What a key would hold: every grant (scopes, direct grants, sets' grants), its schedule, expiry, APIs and environment.</summary>
public sealed record KeyShape(IReadOnlyList<Grant> Grants, AccessSchedule? Schedule, DateTimeOffset? ExpiresAt, IReadOnlyList<Guid> ApiIds, KeyEnvironment Environment, RequestProtections? Protections = null);
