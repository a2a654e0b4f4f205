using Portal.Core.Access;
using Portal.Core.Keys;

namespace Portal.Core.Validation;

/// <summary>
/// The one place where a token becomes a decision, for every door (verify, gateway check, the
/// ApiKey scheme). Order: shape and checksum (no lookup) → HMAC → negative cache → snapshot cache
/// → database (each pepper version) → the API's organization → status → expiry and rotation grace
/// → the API and environment → canonical target → scope. Hashes are
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
                return new(Result(cached!, request, now));
            case CacheLookup.Stale:
                if (cache.TryBeginRefresh(hash))
                {
                    _ = RefreshAsync(token, hash);
                }

                return new(Result(cached!, request, now));
            case CacheLookup.Unknown:
                return new(ValidationResult.NotFound);
            default:
                return LoadAndDecideAsync(token, hash, request, cancellationToken);
        }
    }

    private async ValueTask<ValidationResult> LoadAndDecideAsync(string token, HashKey hash, RequestContext request, CancellationToken cancellationToken)
    {
        var snapshot = await LoadAsync(token, hash, cancellationToken);
        return snapshot is null ? ValidationResult.NotFound : Result(snapshot, request, time.GetUtcNow());
    }

    // A key of another organization than the API's is reported exactly as an unknown one: no key attached.
    private static ValidationResult Result(KeySnapshot key, in RequestContext request, DateTimeOffset now)
    {
        var code = Decide(key, request, now).Code;
        return ReferenceEquals(code, ReasonCodes.NotFound) ? ValidationResult.NotFound : new ValidationResult(code, key, now);
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

    /// <summary>
    /// Decides a request for a key that was found: the API's organization (another one's key is
    /// <see cref="ReasonCodes.NotFound"/>), status, expiry, the API and environment, the canonical
    /// target, then access. With no required scope and <see cref="RequestContext.UseEndpointRules"/>,
    /// the scope comes from the API's endpoint rule matching the method and path; a request no rule
    /// matches is denied unless the API allows any valid key. The portal's test-access tool and the
    /// ApiKey scheme's scope requirements ask this same method.
    /// </summary>
    public static Verdict Decide(KeySnapshot key, in RequestContext request, DateTimeOffset now)
    {
        var api = request.Api;
        if (api is not null && api.OrganizationId != key.OrganizationId)
        {
            return new Verdict(ReasonCodes.NotFound);
        }

        if (!IsUsable(key, now, out var code))
        {
            return new Verdict(code);
        }

        if (api is not null && !key.MayCall(api.Id))
        {
            return new Verdict(ReasonCodes.ApiNotAllowed);
        }

        if (api is not null && !api.Accepts(key.Environment))
        {
            return new Verdict(ReasonCodes.EnvironmentNotAllowed);
        }

        if (request.TargetRefused)
        {
            return new Verdict(ReasonCodes.PathNotCanonical);
        }

        ReadOnlySpan<char> scope = request.RequiredScope;
        var rule = EndpointRuleMatcher.NoMatch;
        if (request.RequiredScope is null && request.UseEndpointRules)
        {
            // Rules decide on the method and target the upstream runs: both known, no other method asked for.
            if (request.Method is null || request.Path is null || request.MethodOverride)
            {
                return new Verdict(ReasonCodes.PathNotCanonical);
            }

            var rules = api?.Rules ?? EndpointRuleMatcher.Empty;
            rule = rules.Match(request.Method, request.Path);
            if (rule >= 0)
            {
                scope = rules.Rules[rule].Scope;
            }
            else if (!rules.AllowUnmatched)
            {
                return new Verdict(ReasonCodes.InsufficientScope, rule);
            }
        }

        var decision = key.Access.Evaluate(scope, request.Resource, now, request.EnforceResourceFilters);
        return new Verdict(decision.Code, rule, decision.GrantIndex);
    }

    private static bool IsUsable(KeySnapshot key, DateTimeOffset now, out string code)
    {
        code = key.Status switch
        {
            KeyStatus.Revoked => ReasonCodes.Revoked,
            KeyStatus.Disabled => ReasonCodes.Disabled,
            KeyStatus.Expired => ReasonCodes.Expired,
            _ when key.IsPastEnd(now.UtcTicks) => ReasonCodes.Expired,
            _ => ReasonCodes.Valid,
        };
        return ReferenceEquals(code, ReasonCodes.Valid);
    }
}
