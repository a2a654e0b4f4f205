using System.Collections.Concurrent;
using System.Text.Json;
using Portal.Core.Data;

namespace Portal.Core.Access;

/// <summary>A permission set's grants as a key holds them: at the set's current version.</summary>
public sealed record SetGrants(Guid Id, string Name, int Version, IReadOnlyList<Grant> Grants);

/// <summary>
/// Turns what a key holds (scopes, conditional grants, permission sets, its schedule) into one
/// <see cref="CompiledAccess"/>. Keys mostly hold the same few combinations, so compiled forms are
/// shared by content: a node caching a million keys keeps a handful of them.
/// </summary>
public sealed class AccessCompiler
{
    private const int MaxShared = 100_000;

    private readonly ConcurrentDictionary<string, CompiledAccess> _shared = new(StringComparer.Ordinal);

    public CompiledAccess Compile(IReadOnlyList<string> scopes, IReadOnlyList<Grant> grants, AccessSchedule? schedule, IReadOnlyList<SetGrants> sets)
    {
        if (scopes.Count == 0 && grants.Count == 0 && schedule is null && sets.Count == 0)
        {
            return CompiledAccess.None;
        }

        var signature = JsonSerializer.Serialize(new { scopes, grants, schedule, sets }, JsonColumn.Options);
        if (_shared.TryGetValue(signature, out var shared))
        {
            return shared;
        }

        var compiled = Build(scopes, grants, schedule, sets);
        // Bounded: many distinct combinations means little to share anyway.
        return _shared.Count < MaxShared ? _shared.GetOrAdd(signature, compiled) : compiled;
    }

    /// <summary>Unconditional grants of the given scopes (tests, benchmarks, simple keys).</summary>
    public static CompiledAccess FromScopes(IEnumerable<string> scopes) => Build([.. scopes], [], null, []);

    private static CompiledAccess Build(IReadOnlyList<string> scopes, IReadOnlyList<Grant> grants, AccessSchedule? schedule, IReadOnlyList<SetGrants> sets)
    {
        // Unconditional grants first: they decide most requests after the fewest comparisons.
        var compiled = new List<CompiledGrant>();
        compiled.AddRange(scopes.Distinct(StringComparer.Ordinal).Select(s => new CompiledGrant(new Grant(s), GrantOrigin.Direct)));
        compiled.AddRange(grants.Select(g => new CompiledGrant(g, GrantOrigin.Direct)));
        foreach (var set in sets)
        {
            var origin = new GrantOrigin(set.Id, set.Name, set.Version);
            compiled.AddRange(set.Grants.Select(g => new CompiledGrant(g, origin)));
        }

        return new CompiledAccess(compiled, schedule);
    }
}
