using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Validation;

/// <summary>Reads snapshots from the database: one indexed lookup by hash.</summary>
public sealed class DatabaseKeySnapshotSource : IKeySnapshotSource
{
    private readonly IDbContextFactory<PortalDbContext> _contexts;
    private readonly Counter<long> _lookups;

    // Keys mostly share a few scope sets; sharing the arrays keeps a large cache small.
    private readonly ConcurrentDictionary<string, string[]> _scopeSets = new(StringComparer.Ordinal);

    public DatabaseKeySnapshotSource(IDbContextFactory<PortalDbContext> contexts, IMeterFactory meters)
    {
        _contexts = contexts;
        _lookups = meters.Create(Audit.AuthenticationLog.MeterName)
            .CreateCounter<long>("portal.validation.key_lookups", description: "Database reads of a key by token hash (cache misses).");
    }

    public async ValueTask<KeySnapshot?> FindAsync(HashKey hash, CancellationToken cancellationToken)
    {
        _lookups.Add(1);
        var bytes = hash.ToArray();
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ApiKeySecrets.AsNoTracking()
            .Where(s => s.Hash == bytes)
            .Select(s => new { s.Hash, s.RetiresAt, Key = s.ApiKey! })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null || !HashKey.FixedTimeEquals(row.Hash, hash)
            ? null
            : new KeySnapshot
            {
                KeyId = row.Key.Id,
                OrganizationId = row.Key.OrganizationId,
                OwnerId = row.Key.OwnerId,
                Name = row.Key.Name,
                Environment = row.Key.Environment,
                Status = row.Key.Status,
                ExpiresAt = row.Key.ExpiresAt,
                TokenRetiresAt = row.RetiresAt,
                Scopes = ShareScopes(row.Key.Scopes),
            };
    }

    private string[] ShareScopes(List<string> scopes)
    {
        if (scopes.Count == 0)
        {
            return [];
        }

        var sorted = scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var signature = string.Join(' ', sorted);
        if (_scopeSets.Count > 100_000)
        {
            // Bounded: many distinct sets means little to share anyway.
            return sorted;
        }

        return _scopeSets.GetOrAdd(signature, sorted);
    }
}
