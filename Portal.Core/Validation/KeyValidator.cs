using Portal.Core.Access;
using Portal.Core.Keys;

namespace Portal.Core.Validation;

/// <summary>
/// The one place where a token becomes a decision, for every door (verify, gateway check, the
/// ApiKey scheme). Order: shape and checksum (no lookup) → HMAC → negative cache → snapshot cache
/// → database (each pepper version) → status → expiry and rotation grace → scope. Hashes are
/// compared in constant time throughout. A cached decision allocates nothing. Never logs or keeps a token.
/// </summary>
public sealed class KeyValidator(KeyHasher hasher, IKeySnapshotSource snapshots, KeySnapshotCache cache, TimeProvider time)
{
    public ValueTask<ValidationResult> ValidateAsync(string? token, RequestContext request, CancellationToken cancellationToken = default)
    {
        if (token is null || !ApiKeyToken.TryParse(token, out _))
        {
            return new(ValidationResult.Malformed);
        }

        Span<byte> buffer = stackalloc byte[KeyHasher.HashSize];
        hasher.Hash(token, hasher.Peppers.CurrentVersion, buffer);
        var hash = new HashKey(buffer);
        var now = time.GetUtcNow();
        switch (cache.TryGet(hash, now.UtcTicks, out var cached))
        {
            case CacheLookup.Fresh:
                return new(Decide(cached!, request, now));
            case CacheLookup.Stale:
                if (cache.TryBeginRefresh(hash))
                {
                    _ = RefreshAsync(token, hash);
                }

                return new(Decide(cached!, request, now));
            case CacheLookup.Unknown:
                return new(ValidationResult.NotFound);
            default:
                return LoadAndDecideAsync(token, hash, request, cancellationToken);
        }
    }

    private async ValueTask<ValidationResult> LoadAndDecideAsync(string token, HashKey hash, RequestContext request, CancellationToken cancellationToken)
    {
        var snapshot = await LoadAsync(token, hash, cancellationToken);
        return snapshot is null ? ValidationResult.NotFound : Decide(snapshot, request, time.GetUtcNow());
    }

    private async Task RefreshAsync(string token, HashKey hash)
    {
        try
        {
            await LoadAsync(token, hash, CancellationToken.None);
        }
        catch (Exception)
        {
            // The stale entry keeps serving until it ages out; the next miss reads the database again.
        }
        finally
        {
            cache.EndRefresh(hash);
        }
    }

    /// <summary>
    /// Reads the token's key, trying each pepper version newest first, and caches the outcome under
    /// the current version's hash (found or unknown).
    /// </summary>
    private async Task<KeySnapshot?> LoadAsync(string token, HashKey currentHash, CancellationToken cancellationToken)
    {
        var generation = cache.Generation;
        var buffer = new byte[KeyHasher.HashSize];
        foreach (var version in hasher.Peppers.Versions)
        {
            var hash = currentHash;
            if (version != hasher.Peppers.CurrentVersion)
            {
                hasher.Hash(token, version, buffer);
                hash = new HashKey(buffer);
            }

            var found = await snapshots.FindAsync(hash, cancellationToken);
            if (found is not null)
            {
                // Filed under the current version's hash, whatever pepper the stored hash used.
                cache.SetKnown(currentHash, found, time.GetUtcNow().UtcTicks, generation, hash);
                return found;
            }
        }

        cache.SetUnknown(currentHash, time.GetUtcNow().UtcTicks);
        return null;
    }

    private static ValidationResult Decide(KeySnapshot key, RequestContext request, DateTimeOffset now)
    {
        var code = key.Status switch
        {
            KeyStatus.Revoked => ReasonCodes.Revoked,
            KeyStatus.Disabled => ReasonCodes.Disabled,
            KeyStatus.Expired => ReasonCodes.Expired,
            _ when key.IsPastEnd(now.UtcTicks) => ReasonCodes.Expired,
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
