using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Core.Access;

/// <summary>A request to try against a key: what a gateway would send, or a scope an app would ask for.</summary>
/// <param name="Method">The request's method; the endpoint rules are matched with it when no scope is given.</param>
/// <param name="Path">The request's path (a query string is ignored by the rules).</param>
/// <param name="Scope">A scope to require directly, as <c>/auth/check?scope=</c> or verify do; null to use the endpoint rules.</param>
/// <param name="Resource">A resource the request touches (<c>asset/eu-17</c>), checked against the grants' filters.</param>
/// <param name="At">The moment to decide for (time windows); null for now.</param>
/// <param name="ApiId">The API whose endpoint rules and environments apply, as its gateway door would decide; required when no scope is given.</param>
/// <param name="ClientAddress">
/// The client's address (<c>203.0.113.7</c>, <c>2001:db8::1</c>) as a door would see it: checked against the
/// organization's block list and deny lists, the API's and the key's allowlists and country rules. Null
/// or blank leaves those checks out.
/// </param>
public sealed record AccessQuestion(string? Method, string? Path, string? Scope = null, string? Resource = null, DateTimeOffset? At = null, Guid? ApiId = null, string? ClientAddress = null);

/// <summary>Which protection refused a request (<see cref="ReasonCodes.IpNotAllowed"/>, <see cref="ReasonCodes.GeoBlocked"/>, <see cref="ReasonCodes.Blocked"/>).</summary>
public enum ProtectionSource
{
    /// <summary>The address is in the organization's denied networks.</summary>
    OrganizationDeniedNetworks = 0,

    /// <summary>The organization requires an IP allowlist on live keys, and this live key has none.</summary>
    OrganizationRequiresAllowlist = 1,

    /// <summary>The address is outside the API's allowlist.</summary>
    ApiAllowlist = 2,

    /// <summary>The address is outside the key's allowlist.</summary>
    KeyAllowlist = 3,

    /// <summary>The country is one the organization denies.</summary>
    OrganizationDeniedCountries = 4,

    /// <summary>The API's country rules refuse the country.</summary>
    ApiCountries = 5,

    /// <summary>The key's country rules refuse the country.</summary>
    KeyCountries = 6,

    /// <summary>The address is blocked for the organization (a threat block or an admin's).</summary>
    BlockList = 7,
}

/// <summary>
/// What the validator decides for a key and a request, and why: the endpoint rule that named the
/// required scope (or that none matched) and the grant that allowed it, with where the grant came
/// from; when allowed, what the doors would hand on at that moment (<see cref="CompiledAccess.OpenAt"/>:
/// the gateway door's <c>X-Auth-Scopes</c> and <c>X-Auth-Resource-Filters</c>, verify's <c>scopes</c> and <c>filters</c>).
/// </summary>
/// <param name="DecidedBy">The protection that refused the client's address or country; null otherwise.</param>
/// <param name="Address">The client address the question gave, in its normal text form; null when none was given (address and country rules were not checked).</param>
/// <param name="Country">The address's country as the country database places it (ISO 3166-1 alpha-2), when a country rule asked; null otherwise.</param>
public sealed record AccessExplanation(
    string Code,
    DateTimeOffset At,
    string? RequiredScope,
    CompiledRule? Rule,
    bool UnmatchedAllowed,
    Grant? Grant,
    GrantOrigin? Origin,
    OpenAccess? Forwarded = null,
    ProtectionSource? DecidedBy = null,
    string? Address = null,
    string? Country = null)
{
    public bool IsAllowed => Code == ReasonCodes.Valid;
}

/// <summary>
/// The portal's "test access" tool and effective-permissions view. It compiles the key's access
/// exactly as the validation cache does and asks <see cref="KeyValidator.Decide"/>, so the answer
/// is the one every door would give. Only keys the caller may see are explained; it never touches a token.
/// With a client address it also answers the organization's block list, the IP lists and the country
/// rules as the doors do (<paramref name="shield"/>); it takes nothing from a rate limit or quota.
/// </summary>
public sealed class AccessExplainer(KeyCatalog keys, AccessCompiler compiler, ApiPolicyCache apis, TimeProvider time, RequestShield? shield = null)
{
    /// <summary>Every grant the key holds, direct ones first, then its permission sets' at their current versions; null when not visible.</summary>
    public async Task<CompiledAccess?> EffectiveAsync(Caller caller, Guid keyId, CancellationToken cancellationToken = default)
    {
        return await SnapshotAsync(caller, keyId, cancellationToken) is { } snapshot ? snapshot.Access : null;
    }

    /// <summary>Decides <paramref name="question"/> for the key; null when the caller may not see the key.</summary>
    public async Task<AccessExplanation?> ExplainAsync(Caller caller, Guid keyId, AccessQuestion question, CancellationToken cancellationToken = default)
    {
        var (method, path, scope, resource, address) = Check(question);
        if (await SnapshotAsync(caller, keyId, cancellationToken) is not { } snapshot)
        {
            return null;
        }

        var api = question.ApiId is { } apiId ? await apis.GetAsync(apiId, cancellationToken) : null;
        if (question.ApiId is not null && api?.OrganizationId != snapshot.OrganizationId)
        {
            throw new InvalidRequestException("apiId", "Choose one of the organization's APIs.");
        }

        var useRules = scope is null;
        var canonicalMethod = RequestTarget.CanonicalMethod(method);
        var canonicalPath = RequestTarget.CanonicalPath(path);
        var at = question.At ?? time.GetUtcNow();
        var organization = shield is not null && address.IsKnown ? await shield.ShieldAsync(snapshot.OrganizationId, cancellationToken) : null;
        // Blocks hold now: a question about another moment is not answered with today's block.
        if (organization is not null && question.At is null && shield!.Threats.IsBlocked(snapshot.OrganizationId, address, at))
        {
            return new AccessExplanation(ReasonCodes.Blocked, at, null, null, false, null, null, DecidedBy: ProtectionSource.BlockList, Address: address.ToString());
        }

        var country = organization is not null ? shield!.CountryFor(snapshot, api, organization, address) : CountryCode.None;
        var request = new RequestContext(scope, null, canonicalMethod, canonicalPath, resource, useRules, api,
            TargetRefused: canonicalMethod is null || canonicalPath is null,
            MethodOverride: RequestTarget.HasMethodOverrideParameter(path),
            Address: address,
            Shield: organization,
            Country: country,
            // Without an address (or without the shield) the address and country checks are left out rather than refused.
            ProtectionsChecked: organization is null);
        var verdict = KeyValidator.Decide(snapshot, request, at);

        var matcher = api?.Rules;
        var rule = matcher is not null && verdict.RuleIndex >= 0 ? matcher.Rules[verdict.RuleIndex] : null;
        // A key that is not usable here, or a target that is not canonical, is refused before any rule is matched.
        var rulesAsked = useRules && verdict.Code is not (ReasonCodes.Expired or ReasonCodes.Revoked or ReasonCodes.Disabled or ReasonCodes.Suspended
            or ReasonCodes.ApiNotAllowed or ReasonCodes.EnvironmentNotAllowed or ReasonCodes.PathNotCanonical
            or ReasonCodes.IpNotAllowed or ReasonCodes.GeoBlocked or ReasonCodes.GeoUnavailable);
        var grant = verdict.GrantIndex >= 0 ? snapshot.Access.Grants[verdict.GrantIndex] : null;
        return new AccessExplanation(
            verdict.Code,
            at,
            scope ?? rule?.Scope,
            rule,
            UnmatchedAllowed: rulesAsked && rule is null && matcher is { AllowUnmatched: true },
            grant?.Grant,
            grant?.Origin,
            verdict.Code == ReasonCodes.Valid ? snapshot.Access.OpenAt(at) : null,
            DecidedBy: organization is null ? null : SourceOf(verdict.Code, snapshot, request),
            Address: organization is null ? null : address.ToString(),
            Country: country is { IsKnown: true } known ? known.ToString() : null);
    }

    // Which list refused: the validator's own answer for the same request.
    private static ProtectionSource? SourceOf(string code, KeySnapshot key, in RequestContext request) => code switch
    {
        ReasonCodes.IpNotAllowed => KeyValidator.AddressRefusal(key, request),
        ReasonCodes.GeoBlocked => KeyValidator.CountryRefusal(key, request, out _),
        _ => null,
    };

    private static (string Method, string Path, string? Scope, string? Resource, ClientAddress Address) Check(AccessQuestion question)
    {
        var errors = new Dictionary<string, string[]>();
        var method = question.Method?.Trim().ToUpperInvariant() ?? "";
        var scope = string.IsNullOrWhiteSpace(question.Scope) ? null : question.Scope.Trim();
        var resource = string.IsNullOrWhiteSpace(question.Resource) ? null : question.Resource.Trim();
        var path = question.Path?.Trim() ?? "";
        if (scope is null && RequestTarget.CanonicalMethod(method) is null)
        {
            errors["method"] = [$"Choose a method: {string.Join(", ", EndpointRule.Methods.Where(m => m != "*"))}, HEAD or another HTTP method."];
        }

        if (scope is null && !path.StartsWith('/'))
        {
            errors["path"] = ["A path starts with '/', e.g. /orders/42."];
        }

        if (scope is null && question.ApiId is null)
        {
            errors["apiId"] = ["Choose the API whose endpoint rules decide, or name a scope."];
        }

        if (scope is not null && !Scope.IsValid(scope))
        {
            errors["scope"] = [$"'{scope}' is not a scope: use resource:action."];
        }

        if (resource is not null && !ResourcePattern.IsValidResource(resource))
        {
            errors["resource"] = [$"'{resource}' is not a resource: use type/id, e.g. asset/eu-17."];
        }

        var addressText = string.IsNullOrWhiteSpace(question.ClientAddress) ? null : question.ClientAddress.Trim();
        var address = Protections.ClientAddress.Parse(addressText);
        if (addressText is not null && !address.IsKnown)
        {
            errors["clientAddress"] = [$"'{addressText}' is not an IP address: give one such as 203.0.113.7 or 2001:db8::1."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidRequestException(errors);
        }

        return (method.Length == 0 ? "GET" : method, path.Length == 0 ? "/" : path, scope, resource, address);
    }

    // The key as the validation cache would hold it for its current token.
    private async Task<KeySnapshot?> SnapshotAsync(Caller caller, Guid keyId, CancellationToken cancellationToken)
    {
        if (await keys.FindAsync(caller, keyId, cancellationToken) is not { } key)
        {
            return null;
        }

        // In name order, as the validation cache reads them.
        var sets = key.PermissionSets.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new SetGrants(p.Id, p.Name, p.Version, p.Grants)).ToList();
        return new KeySnapshot
        {
            KeyId = key.Id,
            OrganizationId = key.OrganizationId,
            OwnerId = key.OwnerId,
            Name = key.Name,
            Environment = key.Environment,
            Status = key.Status,
            ExpiresAt = key.ExpiresAt,
            TokenRetiresAt = null,
            ApiIds = key.ApiIds.Count == 0 ? [] : [.. key.ApiIds],
            Protections = ProtectionRules.Compile(key.Protections, DatabaseKeySnapshotSource.QuotaOf(key)),
            Access = compiler.Compile(key.Scopes, key.Grants, key.Schedule, sets),
        };
    }
}
