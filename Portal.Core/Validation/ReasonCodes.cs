namespace Portal.Core.Validation;

/// <summary>The stable reason codes of a validation decision; they are part of the public API.</summary>
public static class ReasonCodes
{
    public const string Valid = "VALID";

    /// <summary>
    /// The request carries no credential at all: no <c>Authorization</c> or <c>X-Api-Key</c> header, or
    /// an empty one, or verify's <c>key</c> absent or empty. Distinct from <see cref="Malformed"/>, a
    /// credential that is there but is no token.
    /// </summary>
    public const string Missing = "MISSING";

    /// <summary>A credential is there but is no well-formed token (shape or checksum), is sent twice, or under another scheme than Bearer.</summary>
    public const string Malformed = "MALFORMED";
    public const string NotFound = "NOT_FOUND";
    public const string Expired = "EXPIRED";
    public const string Revoked = "REVOKED";
    public const string Disabled = "DISABLED";
    /// <summary>A rule matched (or the request named a scope) and no grant of the key covers that scope.</summary>
    public const string InsufficientScope = "INSUFFICIENT_SCOPE";
    public const string ResourceNotAllowed = "RESOURCE_NOT_ALLOWED";
    public const string OutsideTimeWindow = "OUTSIDE_TIME_WINDOW";

    /// <summary>
    /// The API's endpoint rules decide the request, none matches its method and canonical path, and
    /// the API refuses requests no rule matches (its default). Distinct from <see cref="InsufficientScope"/>:
    /// no rule named a scope, so no key could have made this request.
    /// </summary>
    public const string NoMatchingRule = "NO_MATCHING_RULE";

    /// <summary>The key is limited to other APIs of its organization than the one the gateway protects.</summary>
    public const string ApiNotAllowed = "API_NOT_ALLOWED";

    /// <summary>The key's environment (live or test) is not one the API accepts.</summary>
    public const string EnvironmentNotAllowed = "ENVIRONMENT_NOT_ALLOWED";

    /// <summary>The request's method or target is not in its one canonical form (<see cref="Apis.RequestTarget"/>), or asks for another method.</summary>
    public const string PathNotCanonical = "PATH_NOT_CANONICAL";

    /// <summary>The client's address is outside the key's or the API's IP allowlist, or in the organization's deny list.</summary>
    public const string IpNotAllowed = "IP_NOT_ALLOWED";

    /// <summary>The client's country is refused by the key's or the API's country rules.</summary>
    public const string GeoBlocked = "GEO_BLOCKED";

    /// <summary>Country rules apply but no country database is loaded: refused rather than guessed (fail closed).</summary>
    public const string GeoUnavailable = "GEO_UNAVAILABLE";

    /// <summary>The client's address is blocked for the organization (failure burst, credential stuffing, or an admin's block).</summary>
    public const string Blocked = "BLOCKED";

    /// <summary>The key was suspended (a leaked-key signal under the organization's policy) until an admin lifts it.</summary>
    public const string Suspended = "SUSPENDED";

    /// <summary>One of the key's rate limits has no request left now; <c>Retry-After</c> says when.</summary>
    public const string RateLimited = "RATE_LIMITED";

    /// <summary>The key's quota has no credit left until its next refill.</summary>
    public const string QuotaExceeded = "QUOTA_EXCEEDED";

    /// <summary>The key, the API or the endpoint rule requires an RFC 9421 signature and the request carries none.</summary>
    public const string SignatureRequired = "SIGNATURE_REQUIRED";

    /// <summary>The request's RFC 9421 signature is malformed, covers too little, is stale, replayed, or does not verify with a signing credential of the key.</summary>
    public const string SignatureInvalid = "SIGNATURE_INVALID";

    /// <summary>
    /// The HTTP status every door answers a decision with, the one mapping in the product:
    /// 200 for <see cref="Valid"/>; 401 when the caller's identity is missing or unusable ("who are
    /// you": missing, malformed, unknown or foreign, expired, revoked, disabled); 403 when a known caller may
    /// not make this request ("what may you": scope, no matching rule, resource, time window, API, environment,
    /// canonical target, address, country, block, suspension); 429 for rate limits and quotas. Verify answers 200 and carries the code instead.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A code with no status here: every code must be placed in a class when it is added, and a door
    /// that met one would rather fail (which every gateway treats as a denial) than guess.
    /// </exception>
    public static int StatusOf(string code) => code switch
    {
        Valid => 200,
        Missing or Malformed or NotFound or Expired or Revoked or Disabled or SignatureRequired or SignatureInvalid => 401,
        InsufficientScope or NoMatchingRule or ResourceNotAllowed or OutsideTimeWindow or ApiNotAllowed or EnvironmentNotAllowed or PathNotCanonical
            or IpNotAllowed or GeoBlocked or GeoUnavailable or Blocked or Suspended => 403,
        RateLimited or QuotaExceeded => 429,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "This reason code has no status class."),
    };
}
