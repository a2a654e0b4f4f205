using Portal.Core.Access;
using Portal.Core.Validation;

namespace Portal.Components.Keys;

/// <summary>The test-access tool's answer in words.</summary>
public static class AccessWords
{
    /// <summary>The code in plain words, from the one shared table (<see cref="ReasonWords"/>).</summary>
    public static string Reason(string code) => ReasonWords.Of(code);

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
