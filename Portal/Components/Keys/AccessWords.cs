using Portal.Core.Access;
using Portal.Core.Validation;

namespace Portal.Components.Keys;

/// <summary>The test-access tool's answer in words.</summary>
public static class AccessWords
{
    public static string Reason(string code) => code switch
    {
        ReasonCodes.Valid => "The key may make this request.",
        ReasonCodes.InsufficientScope => "No grant of the key covers the required scope.",
        ReasonCodes.ResourceNotAllowed => "A grant covers the scope, but not this resource.",
        ReasonCodes.OutsideTimeWindow => "A grant covers it, but not at this time (or the key's own schedule is closed).",
        ReasonCodes.Expired => "The key has expired.",
        ReasonCodes.Revoked => "The key is revoked.",
        ReasonCodes.Disabled => "The key is disabled.",
        ReasonCodes.ApiNotAllowed => "The key is limited to other APIs.",
        ReasonCodes.EnvironmentNotAllowed => "The API does not accept keys of this key's environment.",
        ReasonCodes.PathNotCanonical => "The method or path is not in its one canonical form (dot or empty segments, ';', backslashes, encoded '/', '\\' or '%', control characters, invalid UTF-8), so a server could read it as another path.",
        ReasonCodes.IpNotAllowed => "The client's address is not allowed: it is outside an IP allowlist, or in the organization's denied networks.",
        ReasonCodes.GeoBlocked => "The client's country is refused by country rules.",
        ReasonCodes.GeoUnavailable => "Country rules apply, but no country database is loaded (setting Geo:DatabasePath): such requests are refused rather than guessed.",
        ReasonCodes.Blocked => "The client's address is blocked for the organization (too many failures or bad tokens from it, or an admin's block).",
        ReasonCodes.Suspended => "The key is suspended after a leaked-key alert, until an admin lifts it.",
        ReasonCodes.RateLimited => "One of the key's rate limits has no request left now; Retry-After says when to try again.",
        ReasonCodes.QuotaExceeded => "The key's quota has no credit left until its next refill.",
        ReasonCodes.SignatureRequired => "The key, the API or the endpoint rule requires a request signature (RFC 9421) with one of the key's signing credentials.",
        ReasonCodes.SignatureInvalid => "The request's signature is malformed, covers too little, is too old, was replayed, or does not verify with a signing credential of the key.",
        _ => code,
    };

    /// <summary>The answer every door gives for the code, from the one status mapping (<see cref="ReasonCodes.StatusOf"/>).</summary>
    public static string Status(string code) => ReasonCodes.StatusOf(code) switch
    {
        200 => "Every door allows it: the gateway door and the management API answer 200, verify answers valid.",
        401 => "Every door refuses the key itself: the gateway door and the management API answer 401, verify answers valid: false.",
        var status => $"Every door refuses the request: the gateway door and the management API answer {status} with this code, verify answers valid: false.",
    };

    /// <summary>What named the required scope; null when the key's state decided before any rule was read.</summary>
    public static string? Rule(AccessExplanation result)
    {
        if (result.Code is ReasonCodes.Expired or ReasonCodes.Revoked or ReasonCodes.Disabled or ReasonCodes.Suspended
            or ReasonCodes.ApiNotAllowed or ReasonCodes.EnvironmentNotAllowed or ReasonCodes.PathNotCanonical
            or ReasonCodes.IpNotAllowed or ReasonCodes.GeoBlocked or ReasonCodes.GeoUnavailable or ReasonCodes.Blocked)
        {
            return null;
        }

        if (result.Rule is { } rule)
        {
            return $"Endpoint rule {rule.Method} {rule.Template} requires {rule.Scope}.";
        }

        if (result.UnmatchedAllowed)
        {
            return "No endpoint rule matches; the API allows any valid key for such requests.";
        }

        return result.RequiredScope is { } scope
            ? $"The scope {scope} was required."
            : "No endpoint rule matches, and the API refuses requests no rule matches.";
    }

    /// <summary>Which protection decided on the client's address or country, or what was not checked; null when there is nothing to say.</summary>
    public static string? Protection(AccessExplanation result)
    {
        if (result.Address is null)
        {
            return "No client address was given: the block list, IP lists and country rules were not checked.";
        }

        var place = result.Country is { } country ? $" (placed in {country})" : "";
        return result.DecidedBy switch
        {
            ProtectionSource.OrganizationDeniedNetworks => $"Decided by the organization's denied networks: {result.Address} is in one.",
            ProtectionSource.OrganizationRequiresAllowlist => "Decided by the organization's policy: live keys need an IP allowlist, and this key has none.",
            ProtectionSource.ApiAllowlist => $"Decided by the API's IP allowlist: {result.Address} is outside it.",
            ProtectionSource.KeyAllowlist => $"Decided by the key's IP allowlist: {result.Address} is outside it.",
            ProtectionSource.OrganizationDeniedCountries => $"Decided by the organization's denied countries: {result.Address}{place}.",
            ProtectionSource.ApiCountries => $"Decided by the API's country rules: {result.Address}{place}.",
            ProtectionSource.KeyCountries => $"Decided by the key's country rules: {result.Address}{place}.",
            ProtectionSource.BlockList => $"Decided by the organization's block list: {result.Address} is blocked.",
            _ when result.Code == ReasonCodes.GeoUnavailable => $"Country rules apply to {result.Address}, and no country database is loaded.",
            _ => $"The client address {result.Address}{place} passes the block list, IP lists and country rules.",
        };
    }
}
