using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Core.Apis;

/// <summary>Reads an API and its endpoint rules; null when no such API exists.</summary>
public interface IApiPolicySource
{
    Task<ApiPolicy?> LoadAsync(Guid apiId, CancellationToken cancellationToken);
}

public sealed class DatabaseApiPolicySource(IDbContextFactory<PortalDbContext> contexts) : IApiPolicySource
{
    public async Task<ApiPolicy?> LoadAsync(Guid apiId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var api = await db.Apis.AsNoTracking().FirstOrDefaultAsync(a => a.Id == apiId, cancellationToken);
        if (api is null)
        {
            return null;
        }

        var rules = await db.EndpointRules.AsNoTracking()
            .Where(r => r.ApiId == apiId)
            .OrderBy(r => r.CreatedAt)
            .Select(r => new CompiledRule(r.Id, r.Method, r.PathTemplate, r.Scope, r.Cost, r.SignatureRequired))
            .ToListAsync(cancellationToken);
        return new ApiPolicy(api.Id, api.OrganizationId, api.Environments, new EndpointRuleMatcher(rules, api.AllowUnmatchedRequests, api.CaseSensitivePaths))
        {
            Protections = ProtectionRules.Compile(api.Protections),
        };
    }
}

/// <summary>
/// Compiled APIs by id, for the gateway door. Fresh for the validation cache's fresh time, then
/// served while one read refreshes them; dropped at once on this node when an admin edits the API
/// or its rules. Unknown ids are remembered too (so random ids cost one read each, not one per
/// request), in a bounded set that is emptied when full.
/// </summary>
public sealed class ApiPolicyCache(IApiPolicySource source, IOptions<ValidationOptions> options, TimeProvider time)
{
    /// <summary>The most unknown API ids remembered at once.</summary>
    public const int MaxUnknown = 10_000;

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly ConcurrentDictionary<Guid, Lazy<Task<ApiPolicy?>>> _loading = new();
    private int _unknown;

    // Bumped by every invalidation, so a read that started before an edit never caches the old API.
    private long _generation;

    /// <summary>
    /// The cached API when present (its policy, or null for an id known not to exist), refreshing
    /// it in the background when it has aged; false when this node has not read it yet.
    /// </summary>
    public bool TryGet(Guid apiId, out ApiPolicy? policy)
    {
        if (!_entries.TryGetValue(apiId, out var entry))
        {
            policy = null;
            return false;
        }

        if (time.GetUtcNow().UtcTicks - entry.LoadedTicks > options.Value.CacheFreshFor.Ticks && !_loading.ContainsKey(apiId))
        {
            _ = RefreshAsync(apiId);
        }

        policy = entry.Policy;
        return true;
    }

    /// <summary>The API's policy, read from the database when this node does not hold it; null when it does not exist.</summary>
    public async ValueTask<ApiPolicy?> GetAsync(Guid apiId, CancellationToken cancellationToken)
    {
        if (TryGet(apiId, out var policy))
        {
            return policy;
        }

        return await LoadAsync(apiId).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Drops an API so that the next request reads it again. A read already under way is let go
    /// too: requests from now on start their own, never joining one that began before the edit.
    /// </summary>
    public void Invalidate(Guid apiId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(apiId, out _);
        _loading.TryRemove(apiId, out _);
    }

    private async Task RefreshAsync(Guid apiId)
    {
        try
        {
            await LoadAsync(apiId);
        }
        catch (Exception)
        {
            // The aged entry keeps serving; the next request tries again.
        }
    }

    // One read per API at a time, however many requests ask.
    private Task<ApiPolicy?> LoadAsync(Guid apiId)
    {
        Lazy<Task<ApiPolicy?>>? mine = null;
        mine = new Lazy<Task<ApiPolicy?>>(async () =>
        {
            try
            {
                var started = time.GetUtcNow().UtcTicks;
                var generation = Interlocked.Read(ref _generation);
                var policy = await source.LoadAsync(apiId, CancellationToken.None);
                if (Interlocked.Read(ref _generation) == generation)
                {
                    Store(apiId, policy, started);
                }

                return policy;
            }
            finally
            {
                // Only this read's own entry: an invalidation may have put a newer read in its place.
                _loading.TryRemove(new KeyValuePair<Guid, Lazy<Task<ApiPolicy?>>>(apiId, mine!));
            }
        });
        return _loading.GetOrAdd(apiId, mine).Value;
    }

    private void Store(Guid id, ApiPolicy? policy, long loadedTicks)
    {
        if (policy is null)
        {
            if (Interlocked.Increment(ref _unknown) > MaxUnknown)
            {
                foreach (var (key, entry) in _entries)
                {
                    if (entry.Policy is null)
                    {
                        _entries.TryRemove(key, out _);
                    }
                }

                Interlocked.Exchange(ref _unknown, 1);
            }
        }

        _entries[id] = new Entry(policy, loadedTicks);
    }

    private sealed record Entry(ApiPolicy? Policy, long LoadedTicks);
}
