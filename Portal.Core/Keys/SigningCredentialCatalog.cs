using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Permissions;
using Portal.Core.Signatures;
using Portal.Core.Validation;

namespace Portal.Core.Keys;

/// <summary>A signing credential as its key's owner and admins see it: never the secret.</summary>
/// <param name="Id">The credential's id (for revoking).</param>
/// <param name="KeyId">The signature's <c>keyid</c> (<c>sig_…</c>).</param>
/// <param name="Algorithm"><c>hmac-sha256</c>, <c>ecdsa-p256-sha256</c> or <c>ed25519</c>.</param>
/// <param name="PublicKey">The registered public key as PEM (asymmetric credentials only).</param>
public sealed record SigningCredentialView(Guid Id, string KeyId, string Algorithm, string? PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    public static SigningCredentialView Of(KeySigningCredential credential) => new(
        credential.Id, credential.KeyIdentifier, credential.Algorithm,
        credential.PublicKey is { } material && SignatureAlgorithms.TryParse(credential.Algorithm, out var algorithm) ? SigningPublicKey.ToPem(algorithm, material) : null,
        credential.CreatedAt, credential.ExpiresAt, credential.RevokedAt);
}

/// <summary>A credential just registered and, for <c>hmac-sha256</c>, its secret (base64, shown this once).</summary>
public sealed record IssuedSigningCredential(SigningCredentialView Credential, string? Secret);

/// <summary>
/// A key's signing credentials (RFC 9421 request signatures): register, list, revoke. Whoever may
/// change the key may manage them; a key can never manage its own (a stolen token must not be able to
/// register a credential of its holder's and so sign its way past a signature requirement). HMAC
/// secrets are generated here, returned once and stored protected with Data Protection; a change
/// reaches the doors at once (the key's cached snapshot is dropped).
/// </summary>
public sealed class SigningCredentialCatalog(
    PortalDbContext db,
    PermissionEvaluator permissions,
    AuditTrail audit,
    IDataProtectionProvider protection,
    KeyChangeFeed changes,
    TimeProvider time)
{
    /// <summary>The purpose string that isolates signing secrets from every other protected value.</summary>
    public const string ProtectionPurpose = "Portal.Keys.SigningSecret";

    /// <summary>The size of a generated HMAC secret, in bytes.</summary>
    public const int SecretBytes = 32;

    /// <summary>The key's credentials, newest first (revoked ones too); null when the caller may not see the key.</summary>
    public async Task<IReadOnlyList<SigningCredentialView>?> ListAsync(Caller caller, Guid keyId, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null || !await permissions.MayAsync(caller, PortalAction.ViewKey, key.OrganizationId, key.OwnerId, cancellationToken))
        {
            return null;
        }

        var credentials = await db.SigningCredentials.AsNoTracking().Where(c => c.ApiKeyId == keyId).ToListAsync(cancellationToken);
        return [.. credentials.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Select(SigningCredentialView.Of)];
    }

    /// <summary>
    /// Registers a credential: <paramref name="algorithm"/> <c>hmac-sha256</c> (the secret is generated and
    /// returned once; <paramref name="publicKey"/> must be absent) or <c>ecdsa-p256-sha256</c> / <c>ed25519</c>
    /// (<paramref name="publicKey"/>: PEM <c>PUBLIC KEY</c> or a JWK, of that algorithm). <paramref name="expiresAt"/>
    /// optional, in the future. Null when the caller may not see the key; <see cref="InvalidRequestException"/> naming
    /// the field for bad input; <see cref="ConflictException"/> for a key that is revoked or already holds
    /// <see cref="KeySigningCredential.MaxActivePerKey"/> active credentials.
    /// </summary>
    public async Task<IssuedSigningCredential?> AddAsync(Caller caller, Guid keyId, string? algorithm, string? publicKey, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        var key = await FindForChangeAsync(caller, keyId, cancellationToken);
        if (key is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        byte[]? material = null;
        if (!SignatureAlgorithms.TryParse(algorithm ?? "", out var chosen))
        {
            errors["algorithm"] = ["Choose hmac-sha256, ecdsa-p256-sha256 or ed25519."];
        }
        else if (chosen == SignatureAlgorithm.HmacSha256)
        {
            if (!string.IsNullOrEmpty(publicKey))
            {
                errors["publicKey"] = ["An hmac-sha256 credential has no public key: its secret is generated for you and shown once."];
            }
        }
        else if (string.IsNullOrWhiteSpace(publicKey))
        {
            errors["publicKey"] = [$"Paste the {SignatureAlgorithms.Name(chosen)} public key, as PEM (BEGIN PUBLIC KEY) or a JWK."];
        }
        else if (!SigningPublicKey.TryParse(publicKey, out var parsed, out var parsedMaterial, out var problem))
        {
            errors["publicKey"] = [problem ?? "This is not a public key."];
        }
        else if (parsed != chosen)
        {
            errors["publicKey"] = [$"This is an {SignatureAlgorithms.Name(parsed)} public key, not {SignatureAlgorithms.Name(chosen)}."];
        }
        else
        {
            material = parsedMaterial;
        }

        if (expiresAt is { } end && end <= now)
        {
            errors["expiresAt"] = ["The expiry must be in the future."];
        }

        InvalidRequestException.ThrowIfAny(errors);
        if (key.Status == KeyStatus.Revoked)
        {
            throw new ConflictException("key", "The key is revoked.");
        }

        var active = await db.SigningCredentials.CountAsync(c => c.ApiKeyId == keyId && c.RevokedAt == null, cancellationToken);
        if (active >= KeySigningCredential.MaxActivePerKey)
        {
            throw new ConflictException("algorithm", $"A key holds at most {KeySigningCredential.MaxActivePerKey} active signing credentials: revoke one first.");
        }

        string? secret = null;
        var credential = new KeySigningCredential
        {
            ApiKeyId = key.Id,
            OrganizationId = key.OrganizationId,
            KeyIdentifier = NewKeyIdentifier(),
            Algorithm = SignatureAlgorithms.Name(chosen),
            PublicKey = material,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        if (chosen == SignatureAlgorithm.HmacSha256)
        {
            var bytes = RandomNumberGenerator.GetBytes(SecretBytes);
            secret = Convert.ToBase64String(bytes);
            credential.ProtectedSecret = protection.CreateProtector(ProtectionPurpose).Protect(secret);
            CryptographicOperations.ZeroMemory(bytes);
        }

        db.SigningCredentials.Add(credential);
        audit.Record(caller, AuditActions.SigningCredentialAdded, key.OrganizationId, "key", key.Id.ToString(), key.Name,
            new { keyid = credential.KeyIdentifier, algorithm = credential.Algorithm, expiresAt });
        await SaveAsync(key, cancellationToken);
        changes.Publish(KeyChange.Of(key));
        return new IssuedSigningCredential(SigningCredentialView.Of(credential), secret);
    }

    /// <summary>Revokes a credential of the key (idempotent); null when the caller may not see the key or it has no such credential.</summary>
    public async Task<SigningCredentialView?> RevokeAsync(Caller caller, Guid keyId, Guid credentialId, CancellationToken cancellationToken = default)
    {
        var key = await FindForChangeAsync(caller, keyId, cancellationToken);
        var credential = key is null ? null : await db.SigningCredentials.FirstOrDefaultAsync(c => c.Id == credentialId && c.ApiKeyId == keyId, cancellationToken);
        if (key is null || credential is null)
        {
            return null;
        }

        if (credential.RevokedAt is null)
        {
            credential.RevokedAt = time.GetUtcNow();
            audit.Record(caller, AuditActions.SigningCredentialRevoked, key.OrganizationId, "key", key.Id.ToString(), key.Name,
                new { keyid = credential.KeyIdentifier, algorithm = credential.Algorithm });
            await db.SaveChangesAsync(cancellationToken);
            changes.Publish(KeyChange.Of(key));
        }

        return SigningCredentialView.Of(credential);
    }

    /// <summary>The secret bytes of an HMAC credential, for the snapshot that verifies with it.</summary>
    public static byte[] SecretOf(IDataProtectionProvider protection, string protectedSecret) =>
        Convert.FromBase64String(protection.CreateProtector(ProtectionPurpose).Unprotect(protectedSecret));

    private async Task<ApiKey?> FindForChangeAsync(Caller caller, Guid keyId, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.Include(k => k.Secrets).Include(k => k.PermissionSets).AsSplitQuery().FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null || !await permissions.CheckAsync(caller, PortalAction.ChangeKey, key.OrganizationId, key.OwnerId, cancellationToken))
        {
            return null;
        }

        if (caller.KeyId is { } actingId)
        {
            if (actingId == key.Id)
            {
                throw new AccessDeniedException("A key cannot manage its own signing credentials: use the portal, or another key of an admin.");
            }

            // A credential lets its holder sign as the key: through a key, only for a key that holds
            // no more than the acting one, as for a rotation's new token.
            var acting = await db.ApiKeys.AsNoTracking().Include(k => k.PermissionSets).FirstOrDefaultAsync(k => k.Id == actingId, cancellationToken)
                ?? throw new AccessDeniedException("The key you are using no longer exists.");
            if (KeyAttenuation.Exceeds(acting, KeyAttenuation.ShapeOf(key)) is { } reason)
            {
                throw new AccessDeniedException(reason, ReasonCodes.InsufficientScope);
            }
        }

        return key;
    }

    // Credentials are counted, then added: the key's concurrency stamp makes two adds at once conflict
    // rather than both pass the count.
    private async Task SaveAsync(ApiKey key, CancellationToken cancellationToken)
    {
        key.ConcurrencyStamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("key", "The key was changed at the same time; reload it and try again.");
        }
    }

    private static string NewKeyIdentifier() =>
        string.Concat("sig_", RandomNumberGenerator.GetString(ApiKeyToken.Alphabet, KeySigningCredential.KeyIdentifierLength - 4));
}
