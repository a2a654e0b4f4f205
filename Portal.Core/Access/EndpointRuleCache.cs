using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Validation;

namespace Portal.Core.Access;

/// <summary>Reads an organization's endpoint rules and its choice for unmatched requests.</summary>
public interface IEndpointRuleSource
{
    Task<EndpointRuleMatcher> LoadAsync(Guid organizationId, CancellationToken cancellationToken);
}

public sealed class DatabaseEndpointRuleSource(IDbContextFactory<PortalDbContext> contexts) : IEndpointRuleSource
{
    public async Task<EndpointRuleMatcher> LoadAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var allowUnmatched = await db.Organizations.AsNoTracking()
            .Where(o => o.Id == organizationId)
            .Select(o => o.AllowUnmatchedRequests)
            .FirstOrDefaultAsync(cancellationToken);
        var rules = await db.EndpointRules.AsNoTracking()
            .Where(r => r.OrganizationId == organizationId)
            .OrderBy(r => r.CreatedAt)
            .Select(r => new CompiledRule(r.Id, r.Method, r.PathTemplate, r.Scope))
            .ToListAsync(cancellationToken);
        return new EndpointRuleMatcher(rules, allowUnmatched);
    }
}

/// <summary>
/// Compiled endpoint rules per organization. Fresh for the validation cache's fresh time, then
/// served while one read refreshes them; dropped at once on this node when an admin edits them.
/// </summary>
public sealed class EndpointRuleCache(IEndpointRuleSource source, IOptions<ValidationOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly ConcurrentDictionary<Guid, Lazy<Task<EndpointRuleMatcher>>> _loading = new();

    // Bumped by every invalidation, so a read that started before an edit never caches the old rules.
    private long _generation;

    /// <summary>The cached rules when present, refreshing them in the background when they have aged.</summary>
    public bool TryGet(Guid organizationId, out EndpointRuleMatcher matcher)
    {
        if (!_entries.TryGetValue(organizationId, out var entry))
        {
            matcher = null!;
            return false;
        }

        if (time.GetUtcNow().UtcTicks - entry.LoadedTicks > options.Value.CacheFreshFor.Ticks && !_loading.ContainsKey(organizationId))
        {
            _ = RefreshAsync(organizationId);
        }

        matcher = entry.Matcher;
        return true;
    }

    public async ValueTask<EndpointRuleMatcher> GetAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        if (TryGet(organizationId, out var matcher))
        {
            return matcher;
        }

        return await LoadAsync(organizationId).WaitAsync(cancellationToken);
    }

    /// <summary>Drops an organization's rules so that the next request reads them again.</summary>
    public void Invalidate(Guid organizationId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(organizationId, out _);
    }

    private async Task RefreshAsync(Guid organizationId)
    {
        try
        {
            await LoadAsync(organizationId);
        }
        catch (Exception)
        {
            // The aged rules keep serving; the next request tries again.
        }
    }

    // One read per organization at a time, however many requests ask.
    private Task<EndpointRuleMatcher> LoadAsync(Guid organizationId)
    {
        var lazy = _loading.GetOrAdd(organizationId, id => new Lazy<Task<EndpointRuleMatcher>>(async () =>
        {
            try
            {
                var started = time.GetUtcNow().UtcTicks;
                var generation = Interlocked.Read(ref _generation);
                var matcher = await source.LoadAsync(id, CancellationToken.None);
                if (Interlocked.Read(ref _generation) == generation)
                {
                    _entries[id] = new Entry(matcher, started);
                }

                return matcher;
            }
            finally
            {
                _loading.TryRemove(id, out _);
            }
        }));
        return lazy.Value;
    }

    private sealed record Entry(EndpointRuleMatcher Matcher, long LoadedTicks);
}
