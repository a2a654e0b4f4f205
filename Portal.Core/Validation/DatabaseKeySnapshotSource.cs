using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Signatures;

namespace Portal.Core.Validation;

/// <summary>Reads snapshots from the database: one indexed lookup by hash, with the key's signing credentials.</summary>
public sealed partial class DatabaseKeySnapshotSource : IKeySnapshotSource
{
    private readonly IDbContextFactory<PortalDbContext> _contexts;
    private readonly Counter<long> _lookups;
    private readonly IDataProtectionProvider? _protection;
    private readonly ILogger _logger;

    private readonly AccessCompiler _compiler;

    /// <param name="protection">Opens hmac-sha256 signing secrets; a host without Data Protection (the command line) verifies no hmac signature.</param>
    public DatabaseKeySnapshotSource(IDbContextFactory<PortalDbContext> contexts, AccessCompiler compiler, IMeterFactory meters, IDataProtectionProvider? protection = null, ILogger<DatabaseKeySnapshotSource>? logger = null)
    {
        _contexts = contexts;
        _compiler = compiler;
        _protection = protection;
        _logger = logger ?? (ILogger)NullLogger.Instance;
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
                Credentials = db.SigningCredentials.Where(c => c.ApiKeyId == s.ApiKeyId && c.RevokedAt == null).OrderBy(c => c.Id).Take(SigningCredentialSet.MaxCredentials).ToList(),
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
                Signing = row.Credentials.Count == 0 ? SigningCredentialSet.Empty : new SigningCredentialSet(row.Credentials.Select(Compile).OfType<SigningCredential>()),
                Access = _compiler.Compile(
                    row.Key.Scopes, row.Key.Grants, row.Key.Schedule, [.. row.Sets.Select(p => new SetGrants(p.Id, p.Name, p.Version, p.Grants))]),
            };
    }

    // A credential whose material no longer opens (a lost Data Protection key) verifies nothing: its
    // signatures are refused, never accepted unchecked.
    private SigningCredential? Compile(KeySigningCredential stored)
    {
        byte[]? secret = null;
        try
        {
            if (!SignatureAlgorithms.TryParse(stored.Algorithm, out var algorithm))
            {
                return null;
            }

            if (stored.ProtectedSecret is { } protectedSecret)
            {
                secret = _protection is null ? throw new CryptographicException("No Data Protection here.") : SigningCredentialCatalog.SecretOf(_protection, protectedSecret);
            }

            var verifier = SignatureVerifier.Create(algorithm, secret ?? stored.PublicKey ?? []);
            return new SigningCredential(stored.KeyIdentifier, algorithm, verifier, stored.ExpiresAt);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or FormatException)
        {
            LogUnreadableCredential(_logger, stored.KeyIdentifier, stored.ApiKeyId);
            return null;
        }
        finally
        {
            if (secret is not null)
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Signing credential {KeyIdentifier} of key {KeyId} cannot be read (is the Data Protection key ring intact?): its signatures are refused.")]
    private static partial void LogUnreadableCredential(ILogger logger, string keyIdentifier, Guid keyId);
}
