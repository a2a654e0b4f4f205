using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Core.Protections;

namespace Portal.Api.Keys;

/// <summary>Body of <c>POST /api/v1/keys</c>. <c>apiIds</c> (public <c>api_…</c> ids) limits the key to some of the organization's APIs; absent or empty, it may call all of them.</summary>
/// <remarks>
/// Limits (<see cref="KeyRequestLimits"/>): <c>scopes</c> at most 50 of at most 128 characters;
/// <c>grants</c> at most 50, each with at most 20 <c>resources</c> of at most 200 characters and a
/// <c>schedule</c>; a <c>schedule</c> at most 14 <c>windows</c>, each naming at most 7 distinct
/// <c>days</c>; <c>permissionSets</c> at most 20; <c>apiIds</c> at most 50; the body at most
/// <see cref="KeysEndpoints.MaxBodyBytes"/> bytes.
/// </remarks>
public sealed record CreateKeyRequest(
    string? Name,
    string? Description = null,
    KeyEnvironment Environment = KeyEnvironment.Test,
    List<string>? Scopes = null,
    DateTimeOffset? ExpiresAt = null,
    List<Grant>? Grants = null,
    AccessSchedule? Schedule = null,
    List<Guid>? PermissionSets = null,
    List<string?>? ApiIds = null,
    List<string>? IpAllowlist = null,
    CountryRules? Countries = null,
    List<RateLimitRule>? RateLimits = null,
    QuotaRule? Quota = null,
    bool RequireSignature = false) : IBoundedRequest
{
    /// <inheritdoc/>
    public void CheckBounds(Dictionary<string, string[]> errors)
    {
        KeyRequestLimits.Check(Scopes, Grants, Schedule, PermissionSets, ApiIds, errors);
        ProtectionLimits.Check(IpAllowlist, Countries, RateLimits, errors);
    }

    public RequestProtections Protections => new(IpAllowlist, Countries, RateLimits, Quota, RequireSignature);
}

/// <summary>Body of <c>PATCH /api/v1/keys/{id}</c>: absent or null fields stay as they are; <c>apiIds: []</c> lets the key call all of the organization's APIs again.</summary>
/// <remarks>The same limits as <see cref="CreateKeyRequest"/>.</remarks>
public sealed record UpdateKeyRequest(
    string? Name = null,
    string? Description = null,
    List<string>? Scopes = null,
    DateTimeOffset? ExpiresAt = null,
    bool RemoveExpiry = false,
    List<Grant>? Grants = null,
    AccessSchedule? Schedule = null,
    bool RemoveSchedule = false,
    List<Guid>? PermissionSets = null,
    List<string?>? ApiIds = null,
    List<string>? IpAllowlist = null,
    CountryRules? Countries = null,
    List<RateLimitRule>? RateLimits = null,
    QuotaRule? Quota = null,
    bool RemoveQuota = false,
    bool? RequireSignature = null) : IBoundedRequest
{
    /// <inheritdoc/>
    public void CheckBounds(Dictionary<string, string[]> errors)
    {
        KeyRequestLimits.Check(Scopes, Grants, Schedule, PermissionSets, ApiIds, errors);
        ProtectionLimits.Check(IpAllowlist, Countries, RateLimits, errors);
        if (Quota is not null && RemoveQuota)
        {
            errors["quota"] = ["Give either quota or removeQuota, not both."];
        }
    }

    public ProtectionChanges Protections => new(IpAllowlist, Countries, RateLimits, Quota, RemoveQuota, RequireSignature);
}

/// <summary>
/// The list maxima of request protections in a key or API body, checked by count before anything
/// reads the items: <c>ipAllowlist</c> at most <see cref="NetworkList.MaxEntries"/>, each country list at most
/// <see cref="CountryList.MaxEntries"/>, <c>rateLimits</c> at most <see cref="RateLimitPlan.MaxLimits"/>.
/// </summary>
public static class ProtectionLimits
{
    public static void Check(IReadOnlyCollection<string>? ipAllowlist, CountryRules? countries, IReadOnlyCollection<RateLimitRule>? rateLimits, Dictionary<string, string[]> errors)
    {
        RequestLimits.Limit(ipAllowlist, NetworkList.MaxEntries, "ipAllowlist", "networks per allowlist", errors);
        RequestLimits.Limit(countries?.Allow, CountryList.MaxEntries, "countries.allow", "countries per list", errors);
        RequestLimits.Limit(countries?.Deny, CountryList.MaxEntries, "countries.deny", "countries per list", errors);
        RequestLimits.Limit(rateLimits, RateLimitPlan.MaxLimits, "rateLimits", "rate limits", errors);
    }
}

/// <summary>
/// The list maxima of a key body, checked by count before anything reads the items: the grants'
/// resources, schedules, windows and days are looked at only once their parents are within bounds,
/// so the check reads at most 50 × 14 counts whatever was sent.
/// </summary>
public static class KeyRequestLimits
{
    /// <summary>Adds a message naming each list over its maximum.</summary>
    public static void Check(
        IReadOnlyCollection<string>? scopes,
        IReadOnlyList<Grant?>? grants,
        AccessSchedule? schedule,
        IReadOnlyCollection<Guid>? permissionSets,
        IReadOnlyCollection<string?>? apiIds,
        Dictionary<string, string[]> errors)
    {
        RequestLimits.Limit(scopes, Scope.MaxPerKey, "scopes", "scopes per key", errors);
        RequestLimits.Limit(permissionSets, PermissionSet.MaxPerKey, "permissionSets", "permission sets per key", errors);
        RequestLimits.Limit(apiIds, ApiKey.MaxApis, "apiIds", "APIs per key", errors);
        Schedule(schedule, "schedule", errors);
        RequestLimits.Limit(grants, Scope.MaxPerKey, "grants", "grants per key", errors);
        if (grants is null || grants.Count > Scope.MaxPerKey)
        {
            return;
        }

        for (var i = 0; i < grants.Count; i++)
        {
            if (grants[i] is { } grant)
            {
                RequestLimits.Limit(grant.Resources, Grant.MaxResources, $"grants[{i}].resources", "resource patterns per grant", errors);
                Schedule(grant.Schedule, $"grants[{i}].schedule", errors);
            }
        }
    }

    private static void Schedule(AccessSchedule? schedule, string field, Dictionary<string, string[]> errors)
    {
        var windows = schedule?.Windows;
        RequestLimits.Limit(windows, AccessSchedule.MaxWindows, $"{field}.windows", "weekly windows per schedule", errors);
        if (windows is null || windows.Count > AccessSchedule.MaxWindows)
        {
            return;
        }

        for (var w = 0; w < windows.Count; w++)
        {
            RequestLimits.Limit(windows[w]?.Days, WeeklyWindow.MaxDays, $"{field}.windows[{w}].days", "days per window, each once", errors);
        }
    }
}

/// <summary>Body of <c>POST /api/v1/keys/{id}/rotate</c>. Omit <c>gracePeriodSeconds</c> to take the organization's default grace (0 when it sets none).</summary>
public sealed record RotateKeyRequest(int? GracePeriodSeconds = null);

/// <summary>A key as the API shows it: never the token, only its hint. <c>apiIds</c> empty: the key may call all of the organization's APIs.</summary>
public sealed record KeyResponse(
    Guid Id,
    string Name,
    string? Description,
    KeyEnvironment Environment,
    KeyStatus Status,
    Guid OrganizationId,
    Guid OwnerId,
    string Hint,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<Grant> Grants,
    AccessSchedule? Schedule,
    IReadOnlyList<PermissionSetReference> PermissionSets,
    IReadOnlyList<string> ApiIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    string? LastUsedIp,
    IReadOnlyList<TokenResponse>? Tokens,
    IReadOnlyList<string> IpAllowlist,
    CountryRules Countries,
    IReadOnlyList<RateLimitRule> RateLimits,
    QuotaRule? Quota,
    bool RequireSignature = false)
{
    /// <remarks><c>quota.remaining</c> is the count last stored (the running count is written every few seconds; verify's <c>limits</c> has it live).</remarks>
    public static KeyResponse From(ApiKey key, bool withTokens = false) => new(
        key.Id, key.Name, key.Description, key.Environment, key.Status, key.OrganizationId, key.OwnerId, key.Hint,
        key.Scopes, key.Grants, key.Schedule, [.. key.PermissionSets.Select(p => new PermissionSetReference(p.Id, p.Name, p.Version))], [.. key.ApiIds.Select(ApiId.Format)], key.CreatedAt, key.UpdatedAt, key.ExpiresAt, key.RevokedAt, key.LastUsedAt, key.LastUsedIp,
        withTokens ? [.. key.Secrets.OrderByDescending(s => s.CreatedAt).Select(s => new TokenResponse(s.Hint, s.CreatedAt, s.RetiresAt))] : null,
        key.Protections.IpAllowlist ?? [], new CountryRules(key.Protections.Countries?.Allow ?? [], key.Protections.Countries?.Deny ?? []), key.Protections.RateLimits ?? [],
        key.Protections.Quota is { } quota ? quota with { Remaining = key.QuotaRemaining ?? quota.Remaining } : null,
        key.Protections.RequireSignature);
}

/// <summary>A permission set a key holds, at its current version.</summary>
public sealed record PermissionSetReference(Guid Id, string Name, int Version);

/// <summary>One token a key has had; <c>retiresAt</c> is set once a rotation replaced it.</summary>
public sealed record TokenResponse(string Hint, DateTimeOffset CreatedAt, DateTimeOffset? RetiresAt);

/// <summary>
/// A key together with its new token. The token is shown here once and never again.
/// <c>oldTokenRetiresAt</c> (rotation only): when the replaced token stops working; the time of the
/// rotation itself when no grace applies (zero asked, or the key is suspended).
/// </summary>
public sealed record IssuedKeyResponse(string Token, KeyResponse Key, DateTimeOffset? OldTokenRetiresAt = null);

/// <summary>A page of keys, newest first; pass <c>nextCursor</c> as <c>cursor</c> for the next page.</summary>
public sealed record KeyPageResponse(IReadOnlyList<KeyResponse> Items, string? NextCursor);
