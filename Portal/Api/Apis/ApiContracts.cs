using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Protections;

namespace Portal.Api.Apis;

/// <summary>Body of <c>POST /api/v1/apis</c>. Without <c>environments</c> the API accepts live keys only.</summary>
/// <remarks><c>environments</c> names at most <see cref="ApiEnvironmentNames.MaxNames"/> environments; the body is at most <see cref="ApisEndpoints.MaxBodyBytes"/> bytes.</remarks>
public sealed record CreateApiRequest(
    string? Name,
    string? Description = null,
    List<string>? Environments = null,
    bool AllowUnmatchedRequests = false,
    bool CaseSensitivePaths = false,
    List<string>? IpAllowlist = null,
    CountryRules? Countries = null,
    List<RateLimitRule>? RateLimits = null,
    QuotaRule? Quota = null,
    bool RequireSignature = false) : IBoundedRequest
{
    /// <inheritdoc/>
    public void CheckBounds(Dictionary<string, string[]> errors)
    {
        RequestLimits.Limit(Environments, ApiEnvironmentNames.MaxNames, "environments", "environments (live, test)", errors);
        Keys.ProtectionLimits.Check(IpAllowlist, Countries, RateLimits, errors);
    }

    // A quota sent here reaches the catalog, which refuses it by name: quotas belong to keys.
    public RequestProtections Protections => new(IpAllowlist, Countries, RateLimits, Quota, RequireSignature);
}

/// <summary>Body of <c>PATCH /api/v1/apis/{apiId}</c>: absent or null fields stay as they are (an empty description clears it).</summary>
/// <remarks>The same limits as <see cref="CreateApiRequest"/>.</remarks>
public sealed record UpdateApiRequest(
    string? Name = null,
    string? Description = null,
    List<string>? Environments = null,
    bool? AllowUnmatchedRequests = null,
    bool? CaseSensitivePaths = null,
    List<string>? IpAllowlist = null,
    CountryRules? Countries = null,
    List<RateLimitRule>? RateLimits = null,
    QuotaRule? Quota = null,
    bool? RequireSignature = null) : IBoundedRequest
{
    /// <inheritdoc/>
    public void CheckBounds(Dictionary<string, string[]> errors)
    {
        RequestLimits.Limit(Environments, ApiEnvironmentNames.MaxNames, "environments", "environments (live, test)", errors);
        Keys.ProtectionLimits.Check(IpAllowlist, Countries, RateLimits, errors);
    }

    public ProtectionChanges Protections => new(IpAllowlist, Countries, RateLimits, Quota, RequireSignature: RequireSignature);
}

/// <summary>
/// Body of <c>POST /api/v1/apis/{apiId}/rules</c>: a method (or <c>*</c>) and path template, the scope a matching
/// request needs, the quota credits it takes (<c>cost</c>, 1 when absent), and whether a matching request must
/// carry a valid RFC 9421 signature (<c>signatureRequired</c>, for sensitive operations such as <c>POST /payments</c>).
/// </summary>
public sealed record AddEndpointRuleRequest(string? Method, string? PathTemplate, string? Scope, int? Cost = null, bool SignatureRequired = false);

/// <summary>An API as the management API shows it; <c>id</c> is the public <c>api_…</c> form used in gateway configurations.</summary>
public sealed record ApiResponse(
    string Id,
    string Name,
    string? Description,
    IReadOnlyList<string> Environments,
    bool AllowUnmatchedRequests,
    bool CaseSensitivePaths,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> IpAllowlist,
    CountryRules Countries,
    IReadOnlyList<RateLimitRule> RateLimits,
    bool RequireSignature = false)
{
    public static ApiResponse From(ProtectedApi api) => new(
        api.PublicId, api.Name, api.Description, ApiEnvironmentNames.Of(api.Environments), api.AllowUnmatchedRequests, api.CaseSensitivePaths, api.CreatedAt,
        api.Protections.IpAllowlist ?? [], new CountryRules(api.Protections.Countries?.Allow ?? [], api.Protections.Countries?.Deny ?? []), api.Protections.RateLimits ?? [],
        api.Protections.RequireSignature);
}

/// <summary>The organization's APIs by name.</summary>
public sealed record ApiListResponse(IReadOnlyList<ApiResponse> Items);

/// <summary>One endpoint rule of an API.</summary>
public sealed record EndpointRuleResponse(Guid Id, string Method, string PathTemplate, string Scope, DateTimeOffset CreatedAt, int Cost = 1, bool SignatureRequired = false)
{
    public static EndpointRuleResponse From(EndpointRule rule) => new(rule.Id, rule.Method, rule.PathTemplate, rule.Scope, rule.CreatedAt, rule.Cost, rule.SignatureRequired);
}

/// <summary>An API's endpoint rules by path template and method.</summary>
public sealed record EndpointRuleListResponse(IReadOnlyList<EndpointRuleResponse> Items);

/// <summary>The API's words for key environments: <c>live</c> and <c>test</c>.</summary>
public static class ApiEnvironmentNames
{
    public const string Live = "live";
    public const string Test = "test";

    /// <summary>The most names an <c>environments</c> list holds: live and test.</summary>
    public const int MaxNames = 2;

    /// <summary>The environments of a flag set, live first.</summary>
    public static IReadOnlyList<string> Of(ApiEnvironments environments) =>
        [.. new[] { (ApiEnvironments.Live, Live), (ApiEnvironments.Test, Test) }.Where(e => environments.HasFlag(e.Item1)).Select(e => e.Item2)];

    /// <summary>Reads a list of environment names; null for null. Anything else than live and test, or an empty list, is refused naming <c>environments</c>.</summary>
    public static ApiEnvironments? Parse(IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return null;
        }

        ApiEnvironments environments = 0;
        foreach (var name in names)
        {
            environments |= name switch
            {
                Live => ApiEnvironments.Live,
                Test => ApiEnvironments.Test,
                _ => throw new InvalidRequestException("environments", $"'{name}' is not an environment: use \"live\", \"test\" or both."),
            };
        }

        return environments == 0
            ? throw new InvalidRequestException("environments", "Name at least one environment: \"live\", \"test\" or both.")
            : environments;
    }
}

/// <summary>Lists of public API ids (<c>api_…</c>) in request bodies.</summary>
public static class PublicApiIds
{
    /// <summary>
    /// The ids of a list of public API ids; null for null. A string that is not an API id is
    /// refused naming <paramref name="field"/> and the string.
    /// </summary>
    public static List<Guid>? Parse(IReadOnlyList<string?>? ids, string field = "apiIds")
    {
        if (ids is null)
        {
            return null;
        }

        var parsed = new List<Guid>(ids.Count);
        foreach (var text in ids)
        {
            if (text is null || !ApiId.TryParse(text, out var id))
            {
                var shown = text is null ? "null" : text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…'";
                throw new InvalidRequestException(field, $"{shown} is not an API id: use the id shown on the API's page ({ApiId.Prefix} and 32 lower-case hex digits).");
            }

            parsed.Add(id);
        }

        return parsed;
    }
}
