using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Validation;

/// <summary>Reads snapshots straight from the database: one indexed lookup by hash.</summary>
public sealed class DatabaseKeySnapshotSource(IDbContextFactory<PortalDbContext> contexts) : IKeySnapshotSource
{
    public async ValueTask<KeySnapshot?> FindAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ApiKeySecrets.AsNoTracking()
            .Where(s => s.Hash == hash)
            .Select(s => new { s.Hash, s.Hint, s.RetiresAt, Key = s.ApiKey! })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null
            ? null
            : new KeySnapshot
            {
                KeyId = row.Key.Id,
                OrganizationId = row.Key.OrganizationId,
                OwnerId = row.Key.OwnerId,
                Name = row.Key.Name,
                Hint = row.Hint,
                Environment = row.Key.Environment,
                Status = row.Key.Status,
                ExpiresAt = row.Key.ExpiresAt,
                TokenRetiresAt = row.RetiresAt,
                Scopes = [.. row.Key.Scopes],
                Hash = row.Hash,
            };
    }
}
