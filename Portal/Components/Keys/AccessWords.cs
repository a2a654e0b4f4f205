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
        if (result.Code is ReasonCodes.Expired or ReasonCodes.Revoked or ReasonCodes.Disabled
            or ReasonCodes.ApiNotAllowed or ReasonCodes.EnvironmentNotAllowed or ReasonCodes.PathNotCanonical)
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
}
