using System.Security.Cryptography;
using Portal.Core.Access;
using Portal.Core.Keys;

namespace Portal.Core.Validation;

/// <summary>
/// The one place where a token becomes a decision, for every door (verify, gateway check, the
/// ApiKey scheme). Order: shape and checksum (no lookup), hash lookup per pepper version,
/// constant-time compare, status, expiry, rotation grace, scope. Never logs a token.
/// </summary>
public sealed class KeyValidator(KeyHasher hasher, IKeySnapshotSource snapshots, TimeProvider time)
{
    public async ValueTask<ValidationResult> ValidateAsync(string? token, RequestContext request, CancellationToken cancellationToken = default)
    {
        if (token is null || !ApiKeyToken.TryParse(token, out _))
        {
            return ValidationResult.Malformed;
        }

        KeySnapshot? key = null;
        var hash = new byte[KeyHasher.HashSize];
        foreach (var version in hasher.Peppers.Versions)
        {
            hasher.Hash(token, version, hash);
            key = await snapshots.FindAsync(hash, cancellationToken);
            if (key is not null)
            {
                break;
            }
        }

        if (key is null || !CryptographicOperations.FixedTimeEquals(key.Hash, hash))
        {
            return ValidationResult.NotFound;
        }

        return Decide(key, request);
    }

    /// <summary>The decision for a found key; separate so that cached snapshots take the same path.</summary>
    public ValidationResult Decide(KeySnapshot key, RequestContext request)
    {
        var now = time.GetUtcNow();
        var code = key.Status switch
        {
            KeyStatus.Revoked => ReasonCodes.Revoked,
            KeyStatus.Disabled => ReasonCodes.Disabled,
            KeyStatus.Expired => ReasonCodes.Expired,
            _ when key.ExpiresAt <= now || key.TokenRetiresAt <= now => ReasonCodes.Expired,
            _ when request.RequiredScope is { } scope && !HasScope(key.Scopes, scope) => ReasonCodes.InsufficientScope,
            _ => ReasonCodes.Valid,
        };
        return new ValidationResult(code, key);
    }

    private static bool HasScope(string[] granted, string required)
    {
        foreach (var scope in granted)
        {
            if (Scope.Satisfies(scope, required))
            {
                return true;
            }
        }

        return false;
    }
}
