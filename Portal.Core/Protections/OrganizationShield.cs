using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Validation;

namespace Portal.Core.Protections;

/// <summary>
/// An organization's protections as every door of it applies them, compiled from its policy: the
/// networks and countries it denies, its threat thresholds, and whether live keys need an allowlist.
/// </summary>
public sealed class OrganizationShield
{
    public OrganizationShield(Guid organizationId, NetworkList deniedNetworks, CountryList deniedCountries, ThreatPolicy threats, bool requireIpAllowlistOnLiveKeys)
    {
        OrganizationId = organizationId;
        DeniedNetworks = deniedNetworks;
        DeniedCountries = deniedCountries;
        Threats = threats;
        RequireIpAllowlistOnLiveKeys = requireIpAllowlistOnLiveKeys;
    }

    public Guid OrganizationId { get; }

    /// <summary>Refused at every door (<see cref="ReasonCodes.IpNotAllowed"/>).</summary>
    public NetworkList DeniedNetworks { get; }

    /// <summary>A deny-only list: refused at every door (<see cref="ReasonCodes.GeoBlocked"/>) and a leaked-key signal.</summary>
    public CountryList DeniedCountries { get; }

    public ThreatPolicy Threats { get; }

    public bool RequireIpAllowlistOnLiveKeys { get; }

    /// <summary>
    /// The shield of the doors that name no organization before a key does (the management API):
    /// the default thresholds, under the empty id, so that a burst of bad tokens there blocks its
    /// address for the whole platform's management API, as a burst at an organization's door does there.
    /// </summary>
    public static OrganizationShield Platform { get; } = None(Guid.Empty);

    /// <summary>The shield of an organization that set no policy.</summary>
    public static OrganizationShield None(Guid organizationId) =>
        new(organizationId, NetworkList.Empty, CountryList.Empty, ThreatPolicy.Default, false);
}

/// <summary>Reads an organization's shield from its stored policy.</summary>
public interface IOrganizationShieldSource
{
    Task<OrganizationShield> LoadAsync(Guid organizationId, CancellationToken cancellationToken);
}

public sealed class DatabaseOrganizationShieldSource(IDbContextFactory<PortalDbContext> contexts) : IOrganizationShieldSource
{
    public async Task<OrganizationShield> LoadAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var policy = await db.OrganizationPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.OrganizationId == organizationId, cancellationToken);
        return policy is null ? OrganizationShield.None(organizationId) : OrganizationShieldCache.Compile(policy);
    }
}

/// <summary>
/// Organizations' shields by id, for the doors: fresh for the validation cache's fresh time, then
/// served while one read refreshes them; dropped at once on this node when the policy is saved.
/// Holds one entry per organization the doors have met (organizations are never invented by a
/// request: their ids come from a known API or an authenticated caller).
/// </summary>
public sealed class OrganizationShieldCache(IOrganizationShieldSource source, IOptions<ValidationOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly ConcurrentDictionary<Guid, Lazy<Task<OrganizationShield>>> _loading = new();
    private long _generation;

    /// <summary>The organization's shield, read from the database when this node does not hold it.</summary>
    public ValueTask<OrganizationShield> GetAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(organizationId, out var entry))
        {
            if (time.GetUtcNow().UtcTicks - entry.LoadedTicks > options.Value.CacheFreshFor.Ticks && !_loading.ContainsKey(organizationId))
            {
                _ = RefreshAsync(organizationId);
            }

            return new(entry.Shield);
        }

        return new(LoadAsync(organizationId).WaitAsync(cancellationToken));
    }

    /// <summary>Drops an organization's shield so that the next request reads its policy again.</summary>
    public void Invalidate(Guid organizationId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(organizationId, out _);
        _loading.TryRemove(organizationId, out _);
    }

    /// <summary>Compiles a stored policy.</summary>
    public static OrganizationShield Compile(Organizations.OrganizationPolicy policy)
    {
        var ignored = new Dictionary<string, string[]>();
        return new OrganizationShield(
            policy.OrganizationId,
            NetworkList.Parse(policy.DeniedNetworks, "deniedNetworks", ignored),
            CountryList.Parse(new CountryRules(Deny: policy.DeniedCountries), "deniedCountries", ignored),
            policy.Threats ?? ThreatPolicy.Default,
            policy.RequireIpAllowlistOnLiveKeys);
    }

    private async Task RefreshAsync(Guid organizationId)
    {
        try
        {
            await LoadAsync(organizationId);
        }
        catch (Exception)
        {
            // The aged entry keeps serving; the next request tries again.
        }
    }

    private Task<OrganizationShield> LoadAsync(Guid organizationId)
    {
        Lazy<Task<OrganizationShield>>? mine = null;
        mine = new Lazy<Task<OrganizationShield>>(async () =>
        {
            try
            {
                var started = time.GetUtcNow().UtcTicks;
                var generation = Interlocked.Read(ref _generation);
                var shield = await source.LoadAsync(organizationId, CancellationToken.None);
                if (Interlocked.Read(ref _generation) == generation)
                {
                    _entries[organizationId] = new Entry(shield, started);
                }

                return shield;
            }
            finally
            {
                _loading.TryRemove(new KeyValuePair<Guid, Lazy<Task<OrganizationShield>>>(organizationId, mine!));
            }
        });
        return _loading.GetOrAdd(organizationId, mine).Value;
    }

    private sealed record Entry(OrganizationShield Shield, long LoadedTicks);
}
