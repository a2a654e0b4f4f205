using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Signatures;

namespace Portal.Core.Validation;

/// <summary>
/// The one place where a token becomes a decision, for every door (verify, gateway check, the
/// ApiKey scheme). Order (DESIGN.md "Request protections"), cheapest refusals first: the address's
/// block for the organization → shape and checksum (no lookup) → HMAC → negative cache → snapshot
/// cache → database (each pepper version) → the API's organization → status → expiry and rotation
/// grace → the API and environment → IP deny list and allowlists → countries → canonical target →
/// the matching endpoint rule → request signature → time window and scope → rate limits and quota. A refused request takes nothing from a limit or
/// quota. Hashes are compared in constant time throughout. A cached decision allocates nothing.
/// Never logs or keeps a token.
/// </summary>
public sealed class KeyValidator(KeyHasher hasher, IKeySnapshotSource snapshots, KeySnapshotCache cache, TimeProvider time, RequestShield? shield = null, INonceStore? nonces = null)
{
    public ValueTask<ValidationResult> ValidateAsync(string? token, RequestContext request, CancellationToken cancellationToken = default)
    {
        var organizationId = request.Api?.OrganizationId ?? request.OrganizationId;
        if (shield is not null && organizationId is null)
        {
            // A door that names no organization (the management API): until a key names one, its
            // refusals are watched, and its blocks kept, for the platform as a whole.
            request = request with { Shield = OrganizationShield.Platform };
        }
        else if (shield is not null && organizationId is { } id)
        {
            var pending = shield.ShieldAsync(id, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return ShieldThenValidateAsync(pending, token, request, cancellationToken);
            }

            request = request with { Shield = pending.Result };
        }

        return ValidateShieldedAsync(token, request, cancellationToken);
    }

    private async ValueTask<ValidationResult> ShieldThenValidateAsync(ValueTask<OrganizationShield> pending, string? token, RequestContext request, CancellationToken cancellationToken) =>
        await ValidateShieldedAsync(token, request with { Shield = await pending }, cancellationToken);

    private ValueTask<ValidationResult> ValidateShieldedAsync(string? token, in RequestContext request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (request.Shield is { } guard && request.Address.IsKnown && shield!.Threats.IsBlocked(guard.OrganizationId, request.Address, now))
        {
            return new(ValidationResult.Blocked);
        }

        if (string.IsNullOrEmpty(token))
        {
            // No credential at all is its own answer, so a client that forgot its key is told so; a
            // credential the door could not read as one token (two, another scheme) is malformed.
            // Both are watched like any refusal of an unusable credential.
            var refused = request.CredentialUnreadable ? ValidationResult.Malformed : ValidationResult.Missing;
            Watch(refused, default, request, now);
            return new(refused);
        }

        if (!ApiKeyToken.TryParse(token, out _))
        {
            Watch(ValidationResult.Malformed, default, request, now);
            return new(ValidationResult.Malformed);
        }

        Span<byte> buffer = stackalloc byte[KeyHasher.HashSize];
        hasher.Hash(token, hasher.Peppers.CurrentVersion, buffer);
        var hash = new HashKey(buffer);
        switch (cache.TryGet(hash, now.UtcTicks, out var cached))
        {
            case CacheLookup.Fresh:
                return Decided(cached!, hash, request, now);
            case CacheLookup.Stale:
                if (cache.TryBeginRefresh(hash))
                {
                    _ = RefreshAsync(token, hash);
                }

                return Decided(cached!, hash, request, now);
            case CacheLookup.Unknown:
                Watch(ValidationResult.NotFound, hash, request, now);
                return new(ValidationResult.NotFound);
            default:
                return LoadAndDecideAsync(token, hash, request, cancellationToken);
        }
    }

    private async ValueTask<ValidationResult> LoadAndDecideAsync(string token, HashKey hash, RequestContext request, CancellationToken cancellationToken)
    {
        var snapshot = await LoadAsync(token, hash, cancellationToken);
        var now = time.GetUtcNow();
        if (snapshot is null)
        {
            Watch(ValidationResult.NotFound, hash, request, now);
            return ValidationResult.NotFound;
        }

        return await Decided(snapshot, hash, request, now);
    }

    // The management API names no organization before the key does: its shield is read here, once
    // per organization and fresh period, so its block, deny lists and thresholds apply as at the other doors.
    private ValueTask<ValidationResult> Decided(KeySnapshot key, in HashKey hash, in RequestContext request, DateTimeOffset now)
    {
        if (shield is null || (request.Shield is { } known && !ReferenceEquals(known, OrganizationShield.Platform)))
        {
            return new(Result(key, hash, request, now));
        }

        var pending = shield.ShieldAsync(key.OrganizationId, CancellationToken.None);
        return pending.IsCompletedSuccessfully
            ? new(Result(key, hash, request with { Shield = pending.Result }, now))
            : ShieldThenDecideAsync(pending, key, hash, request, now);
    }

    private async ValueTask<ValidationResult> ShieldThenDecideAsync(ValueTask<OrganizationShield> pending, KeySnapshot key, HashKey hash, RequestContext request, DateTimeOffset now) =>
        Result(key, hash, request with { Shield = await pending }, now);

    // A key of another organization than the API's is reported exactly as an unknown one: no key attached.
    private ValidationResult Result(KeySnapshot key, in HashKey hash, in RequestContext request, DateTimeOffset now)
    {
        var context = request;
        if (shield is not null)
        {
            // A door that named no organization (the management API) checks the key's organization's block here.
            if (request.Api is null && request.OrganizationId is null && context.Address.IsKnown && shield.Threats.IsBlocked(key.OrganizationId, context.Address, now))
            {
                return new ValidationResult(ReasonCodes.Blocked, key, now);
            }

            context = context with { Country = shield.CountryFor(key, context.Api, context.Shield, context.Address) };
        }

        var verdict = Decide(key, context, now);
        var code = verdict.Code;
        if (ReferenceEquals(code, ReasonCodes.NotFound))
        {
            Watch(ValidationResult.NotFound, hash, context, now);
            return ValidationResult.NotFound;
        }

        var detail = verdict.Detail;
        if (ReferenceEquals(code, ReasonCodes.Valid) && verdict.Signature.Nonce is { } nonce
            && (nonces is null
                ? MessageSignatureProfile.Details.Unchecked
                : MessageSignatureProfile.NonceRefusal(nonces.TryUse(key.KeyId, nonce, verdict.Signature.NonceExpiresAt, now))) is { } refusal)
        {
            // The nonce is spent only by a request allowed so far, so refused requests cannot fill the
            // store; a replay, a key over its share of nonces and a full store each say which.
            (code, detail) = (ReasonCodes.SignatureInvalid, refusal);
        }

        // What decided, for the authentication log: the matched rule and the scope it (or the request) named.
        var rule = verdict.RuleIndex >= 0 && context.Api is { } api ? api.Rules.Rules[verdict.RuleIndex] : null;
        var scope = context.RequiredScope ?? rule?.Scope;
        if (shield is null)
        {
            return new ValidationResult(code, key, now, Detail: detail, Scope: scope, Rule: rule);
        }

        var result = new ValidationResult(code, key, now, Detail: detail, Scope: scope, Rule: rule);
        if (ReferenceEquals(code, ReasonCodes.Valid))
        {
            var limits = shield.Acquire(key, context.Api, rule?.Cost ?? 1, now, out var plan);
            result = limits.Verdict switch
            {
                LimitVerdict.RateLimited => new ValidationResult(ReasonCodes.RateLimited, key, now, limits, plan, Scope: scope, Rule: rule),
                LimitVerdict.QuotaExceeded => new ValidationResult(ReasonCodes.QuotaExceeded, key, now, limits, plan, Scope: scope, Rule: rule),
                _ => new ValidationResult(code, key, now, limits, plan, Scope: scope, Rule: rule),
            };
        }

        Watch(result, hash, context, now);
        return result;
    }

    // Hands the decision to the watch for attacks: refusals of unusable credentials per address, and
    // each use of a key (including one refused for a country the organization denies) for the leaked-key signal.
    private void Watch(in ValidationResult result, in HashKey hash, in RequestContext request, DateTimeOffset now)
    {
        if (shield is null || request.Shield is not { } guard || !request.Address.IsKnown)
        {
            return;
        }

        if (ReasonCodes.StatusOf(result.Code) == 401)
        {
            shield.Threats.ObserveRefusal(guard.OrganizationId, request.Address, result.Code, hash, guard.Threats, now);
        }
        else if (result.Key is { } key && key.OrganizationId == guard.OrganizationId)
        {
            var country = request.Country ?? CountryCode.None;
            var denied = guard.DeniedCountries.Denies(country);
            if (result.IsValid || denied)
            {
                shield.Threats.ObserveUse(key, request.Address, country, denied, guard.Threats, now);
            }
        }
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
    /// <see cref="ReasonCodes.NotFound"/>), status, expiry, the API and environment, the address
    /// (the organization's deny list, the API's and the key's allowlists), the country (with
    /// <see cref="RequestContext.Country"/>), the canonical target, the request signature (RFC 9421, its nonce
    /// left for <see cref="ValidateAsync"/> to take; see <see cref="SignatureCode"/>), then access. Counts nothing:
    /// rate limits are taken by <see cref="ValidateAsync"/> once this allows. With no required scope and <see cref="RequestContext.UseEndpointRules"/>,
    /// the scope comes from the API's endpoint rule matching the method and path; a request no rule
    /// matches is denied (<see cref="ReasonCodes.NoMatchingRule"/>) unless the API allows any valid key. The portal's test-access tool and the
    /// ApiKey scheme's scope requirements ask this same method.
    /// </summary>
    public static Verdict Decide(KeySnapshot key, in RequestContext request, DateTimeOffset now)
    {
        var api = request.Api;
        // A key of another organization than the door's (the API's, or verify's caller's) is unknown
        // here, before anything is charged to it or watched for it.
        if ((api?.OrganizationId ?? request.OrganizationId) is { } organization && organization != key.OrganizationId)
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

        if (!request.ProtectionsChecked)
        {
            if (AddressRefusal(key, request) is not null)
            {
                return new Verdict(ReasonCodes.IpNotAllowed);
            }

            CountryRefusal(key, request, out var countryCode);
            if (countryCode is not null)
            {
                return new Verdict(countryCode);
            }
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
                // No rule named a scope: no key could make this request, which says more than a missing scope.
                return new Verdict(ReasonCodes.NoMatchingRule, rule);
            }
        }

        // Who signed comes before what they may do: a signature problem is a 401, like a bad token.
        var signature = default(SignatureOutcome);
        if (!request.ProtectionsChecked && SignatureCode(key, request, rule, now, out var detail, out signature) is { } signatureCode)
        {
            return new Verdict(signatureCode, rule, Detail: detail);
        }

        var decision = key.Access.Evaluate(scope, request.Resource, now, request.EnforceResourceFilters);
        return new Verdict(decision.Code, rule, decision.GrantIndex, Signature: signature);
    }

    /// <summary>
    /// The protection that refuses the client's address (<see cref="ReasonCodes.IpNotAllowed"/>), or
    /// null when it passes: the organization's denied networks and its live-key allowlist policy, then
    /// the API's allowlist, then the key's. An unknown address passes no allowlist. The test-access
    /// tool names the list from here.
    /// </summary>
    public static ProtectionSource? AddressRefusal(KeySnapshot key, in RequestContext request)
    {
        var address = request.Address;
        if (request.Shield is { } shield && shield.OrganizationId == key.OrganizationId)
        {
            if (shield.DeniedNetworks.Contains(address))
            {
                return ProtectionSource.OrganizationDeniedNetworks;
            }

            // The policy binds live keys saved before it was set too: they pass nowhere until given an allowlist.
            if (shield.RequireIpAllowlistOnLiveKeys && key.Environment == KeyEnvironment.Live && key.Protections.Allowlist.IsEmpty)
            {
                return ProtectionSource.OrganizationRequiresAllowlist;
            }
        }

        if (request.Api?.Protections.Allowlist is { IsEmpty: false } apiList && !apiList.Contains(address))
        {
            return ProtectionSource.ApiAllowlist;
        }

        return key.Protections.Allowlist.IsEmpty || key.Protections.Allowlist.Contains(address) ? null : ProtectionSource.KeyAllowlist;
    }

    /// <summary>
    /// The protection that refuses the client's country (<see cref="ReasonCodes.GeoBlocked"/>), or null
    /// when it passes or no country rule applies: the organization's denied countries, then the API's
    /// rules, then the key's. <paramref name="code"/> is <see cref="ReasonCodes.GeoUnavailable"/> (with a
    /// null source) when rules apply and <see cref="RequestContext.Country"/> is unknown for want of a database.
    /// </summary>
    public static ProtectionSource? CountryRefusal(KeySnapshot key, in RequestContext request, out string? code)
    {
        code = null;
        var organization = request.Shield is { } shield && shield.OrganizationId == key.OrganizationId ? shield.DeniedCountries : CountryList.Empty;
        var api = request.Api?.Protections.Countries ?? CountryList.Empty;
        var own = key.Protections.Countries;
        if (organization.IsEmpty && api.IsEmpty && own.IsEmpty)
        {
            return null;
        }

        if (request.Country is not { } country)
        {
            code = ReasonCodes.GeoUnavailable;
            return null;
        }

        ProtectionSource? source = !organization.Allows(country) ? ProtectionSource.OrganizationDeniedCountries
            : !api.Allows(country) ? ProtectionSource.ApiCountries
            : !own.Allows(country) ? ProtectionSource.KeyCountries
            : null;
        code = source is null ? null : ReasonCodes.GeoBlocked;
        return source;
    }

    /// <summary>
    /// The signature's refusal, or null when it passes: a request that carries a signature
    /// (<see cref="RequestContext.Message"/>) has it checked whether or not one is required
    /// (<see cref="ReasonCodes.SignatureInvalid"/> with <paramref name="detail"/>); one without is refused
    /// with <see cref="ReasonCodes.SignatureRequired"/> when the key, the API or the matching endpoint
    /// rule (<paramref name="rule"/>) requires one. A valid signature's nonce is not taken here:
    /// <paramref name="outcome"/> carries it, for <see cref="ValidateAsync"/> to take once the request is allowed.
    /// </summary>
    private static string? SignatureCode(KeySnapshot key, in RequestContext request, int rule, DateTimeOffset now, out string? detail, out SignatureOutcome outcome)
    {
        detail = null;
        outcome = default;
        var api = request.Api;
        var required = key.Protections.RequireSignature
            || (api is not null && (api.Protections.RequireSignature || (rule >= 0 && api.Rules.Rules[rule].SignatureRequired)));
        if (request.Message is not { } message)
        {
            return required ? ReasonCodes.SignatureRequired : null;
        }

        outcome = MessageSignatures.Verify(message, key.Signing, key.KeyId, now, nonces: null);
        switch (outcome.Status)
        {
            case SignatureStatus.Valid:
                return null;
            case SignatureStatus.Missing:
                return required ? ReasonCodes.SignatureRequired : null;
            default:
                detail = outcome.Detail;
                return ReasonCodes.SignatureInvalid;
        }
    }

    private static bool IsUsable(KeySnapshot key, DateTimeOffset now, out string code)
    {
        code = key.Status switch
        {
            KeyStatus.Revoked => ReasonCodes.Revoked,
            KeyStatus.Disabled => ReasonCodes.Disabled,
            KeyStatus.Suspended => ReasonCodes.Suspended,
            KeyStatus.Expired => ReasonCodes.Expired,
            _ when key.IsPastEnd(now.UtcTicks) => ReasonCodes.Expired,
            _ => ReasonCodes.Valid,
        };
        return ReferenceEquals(code, ReasonCodes.Valid);
    }
}
