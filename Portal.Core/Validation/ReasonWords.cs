namespace Portal.Core.Validation;

/// <summary>
/// Every reason code (<see cref="ReasonCodes"/>) in plain words, the one table the portal shows them
/// from: beside the code in the authentication log and its export, and in the test-access tool. The
/// words explain; the code beside them stays the stable, machine-readable part.
/// </summary>
public static class ReasonWords
{
    private static readonly (string Code, string Words)[] Table =
    [
        (ReasonCodes.Valid, "The key may make this request."),
        (ReasonCodes.Missing, "No key was sent: the request had no Authorization or X-Api-Key header, or an empty one."),
        (ReasonCodes.Malformed, "What was sent is not a well-formed key (wrong shape or checksum, often a mistyped or cut-off key), or two keys were sent, or another scheme than Bearer."),
        (ReasonCodes.NotFound, "No key of this organization has this token: it was never issued, was deleted, or belongs to another organization."),
        (ReasonCodes.Expired, "The key has expired."),
        (ReasonCodes.Revoked, "The key is revoked."),
        (ReasonCodes.Disabled, "The key is disabled."),
        (ReasonCodes.InsufficientScope, "No grant of the key covers the required scope."),
        (ReasonCodes.NoMatchingRule, "No endpoint rule of the API matches the request's method and path, and the API refuses requests no rule matches."),
        (ReasonCodes.ResourceNotAllowed, "A grant covers the scope, but not this resource."),
        (ReasonCodes.OutsideTimeWindow, "A grant covers it, but not at this time (or the key's own schedule is closed)."),
        (ReasonCodes.ApiNotAllowed, "The key is limited to other APIs."),
        (ReasonCodes.EnvironmentNotAllowed, "The API does not accept keys of this key's environment."),
        (ReasonCodes.PathNotCanonical, "The method or path is not in its one canonical form (dot or empty segments, ';', backslashes, encoded '/', '\\' or '%', control characters, invalid UTF-8), so a server could read it as another path."),
        (ReasonCodes.IpNotAllowed, "The client's address is not allowed: it is outside an IP allowlist, or in the organization's denied networks."),
        (ReasonCodes.GeoBlocked, "The client's country is refused by country rules."),
        (ReasonCodes.GeoUnavailable, "Country rules apply, but no country database is loaded (setting Geo:DatabasePath): such requests are refused rather than guessed."),
        (ReasonCodes.Blocked, "The client's address is blocked for the organization (too many failures or bad tokens from it, or an admin's block)."),
        (ReasonCodes.Suspended, "The key is suspended after a leaked-key alert, until an admin lifts it."),
        (ReasonCodes.RateLimited, "One of the key's rate limits has no request left now; Retry-After says when to try again."),
        (ReasonCodes.QuotaExceeded, "The key's quota has no credit left until its next refill."),
        (ReasonCodes.SignatureRequired, "The key, the API or the endpoint rule requires a request signature (RFC 9421) with one of the key's signing credentials."),
        (ReasonCodes.SignatureInvalid, "The request's signature is malformed, covers too little, is too old, was replayed, or does not verify with a signing credential of the key."),
    ];

    private static readonly Dictionary<string, string> Words = Table.ToDictionary(e => e.Code, e => e.Words, StringComparer.Ordinal);

    /// <summary>Every reason code, in the order of the table above (allowed first, then who-are-you, then what-may-you, then limits and signatures).</summary>
    public static IReadOnlyList<string> Codes { get; } = [.. Table.Select(e => e.Code)];

    /// <summary>The code in plain words; an unknown code (a record written by a later version) is given back as it is.</summary>
    public static string Of(string code) => Words.TryGetValue(code, out var words) ? words : code;
}
