using System.Globalization;
using Microsoft.Net.Http.Headers;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Api.Gateway;

/// <summary>
/// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): <c>RateLimit-Policy</c>
/// lists the key's limits (<c>"burst";q=20;w=1</c>), <c>RateLimit</c> the one closest to refusing
/// with its remaining requests and the seconds until it is whole again (<c>"burst";r=3;t=1</c>),
/// and <c>Retry-After</c> (RFC 9110 §10.2.3, seconds) accompanies a refusal by a limit or quota.
/// Written only for keys with limits: by the gateway door on its refusals, and by verify on every answer.
/// </summary>
public static class RateLimitHeaders
{
    public const string Policy = "RateLimit-Policy";
    public const string State = "RateLimit";

    public static void Write(IHeaderDictionary headers, in ValidationResult result)
    {
        if (result.Plan is not { } plan)
        {
            return;
        }

        var limits = result.Limits;
        headers[Policy] = plan.PolicyHeader;
        var name = limits.LimitIndex >= 0 && limits.LimitIndex < plan.Limits.Length ? plan.Limits[limits.LimitIndex].Name : plan.Quota is not null ? "quota" : null;
        if (name is not null)
        {
            headers[State] = string.Create(CultureInfo.InvariantCulture, $"\"{name}\";r={Math.Max(0, limits.Remaining)};t={Math.Max(0, limits.ResetSeconds)}");
        }

        if (limits.RetryAfterSeconds > 0)
        {
            headers[HeaderNames.RetryAfter] = limits.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }
    }
}
