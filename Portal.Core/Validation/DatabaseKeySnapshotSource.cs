using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Core.Protections;

namespace Portal.Core.Validation;

/// <summary>Reads snapshots from the database: one indexed lookup by hash.</summary>
public sealed class DatabaseKeySnapshotSource : IKeySnapshotSource
{
    private readonly IDbContextFactory<PortalDbContext> _contexts;
    private readonly Counter<long> _lookups;

    private readonly AccessCompiler _compiler;

    public DatabaseKeySnapshotSource(IDbContextFactory<PortalDbContext> contexts, AccessCompiler compiler, IMeterFactory meters)
    {
        _contexts = contexts;
        _compiler = compiler;
        _lookups = meters.Create(Audit.AuthenticationLog.MeterName)
            .CreateCounter<long>("portal.validation.key_lookups", description: "Database reads of a key by token hash (cache misses).");
    }

    /// <summary>The quota a key's snapshot counts from: its stored count, or the quota as set when nothing was counted yet.</summary>
    public static QuotaPlan? QuotaOf(Keys.ApiKey key) => key.Protections.Quota is not { } quota
        ? null
        : new QuotaPlan(key.QuotaRemaining ?? quota.Remaining, key.QuotaAsOf ?? key.UpdatedAt, quota.Refill, key.QuotaStamp ?? Guid.Empty);

    public async ValueTask<KeySnapshot?> FindAsync(HashKey hash, CancellationToken cancellationToken)
    {
        _lookups.Add(1);
        var bytes = hash.ToArray();
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ApiKeySecrets.AsNoTracking()
            .Where(s => s.Hash == bytes)
            .Select(s => new
            {
                s.Hash,
                s.RetiresAt,
                Key = s.ApiKey!,
                Sets = s.ApiKey!.PermissionSets.OrderBy(p => p.Name).Select(p => new { p.Id, p.Name, p.Version, p.Grants }).ToList(),
            })
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
                ApiIds = row.Key.ApiIds.Count == 0 ? [] : [.. row.Key.ApiIds],
                Protections = ProtectionRules.Compile(row.Key.Protections, QuotaOf(row.Key)),
                Access = _compiler.Compile(
                    row.Key.Scopes, row.Key.Grants, row.Key.Schedule, [.. row.Sets.Select(p => new SetGrants(p.Id, p.Name, p.Version, p.Grants))]),
            };
    }
}
