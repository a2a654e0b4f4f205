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
/// <remarks>
/// The shared forms are bounded in estimated bytes (the content signature and the compiled form,
/// see <see cref="AccessSize"/>), not only in number: past the budget the oldest forms are dropped
/// (keys already holding one keep it; the next key with that content compiles it again). A form
/// larger than half the budget is compiled and not shared.
/// </remarks>
public sealed class AccessCompiler
{
    /// <summary>The budget when none is configured: 64 MiB (<c>Validation:MaxSharedAccessBytes</c>).</summary>
    public const long DefaultMaxBytes = 64L << 20;

    // The map's node and the signature string's header, besides the signature's characters.
    private const long EntryOverhead = 64 + 22;

    private readonly ConcurrentDictionary<string, Shared> _shared = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _added = new();
    private readonly long _maxBytes;
    private long _bytes;

    public AccessCompiler()
        : this(DefaultMaxBytes)
    {
    }

    /// <param name="maxBytes">The estimated bytes the shared forms may take.</param>
    public AccessCompiler(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        _maxBytes = maxBytes;
    }

    /// <summary>The estimated bytes the shared forms take now.</summary>
    public long EstimatedBytes => Interlocked.Read(ref _bytes);

    /// <summary>How many compiled forms are shared now.</summary>
    public int SharedCount => _shared.Count;

    public CompiledAccess Compile(IReadOnlyList<string> scopes, IReadOnlyList<Grant> grants, AccessSchedule? schedule, IReadOnlyList<SetGrants> sets)
    {
        if (scopes.Count == 0 && grants.Count == 0 && schedule is null && sets.Count == 0)
        {
            return CompiledAccess.None;
        }

        var signature = JsonSerializer.Serialize(new { scopes, grants, schedule, sets }, JsonColumn.Options);
        if (_shared.TryGetValue(signature, out var shared))
        {
            return shared.Access;
        }

        var compiled = Build(scopes, grants, schedule, sets);
        var bytes = EntryOverhead + (2L * signature.Length) + AccessSize.Of(compiled);
        if (bytes > _maxBytes / 2)
        {
            return compiled;
        }

        var entry = new Shared(compiled, bytes);
        if (!_shared.TryAdd(signature, entry))
        {
            return _shared.TryGetValue(signature, out var raced) ? raced.Access : compiled;
        }

        _added.Enqueue(signature);
        Interlocked.Add(ref _bytes, bytes);
        while (Interlocked.Read(ref _bytes) > _maxBytes && _added.TryDequeue(out var oldest))
        {
            if (_shared.TryRemove(oldest, out var dropped))
            {
                Interlocked.Add(ref _bytes, -dropped.Bytes);
            }
        }

        return compiled;
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

    private sealed record Shared(CompiledAccess Access, long Bytes);
}
