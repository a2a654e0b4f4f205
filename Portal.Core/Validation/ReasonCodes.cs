namespace Portal.Core.Validation;

/// <summary>The stable reason codes of a validation decision; they are part of the public API.</summary>
public static class ReasonCodes
{
    public const string Valid = "VALID";
    public const string Malformed = "MALFORMED";
    public const string NotFound = "NOT_FOUND";
    public const string Expired = "EXPIRED";
    public const string Revoked = "REVOKED";
    public const string Disabled = "DISABLED";
    public const string InsufficientScope = "INSUFFICIENT_SCOPE";
    public const string ResourceNotAllowed = "RESOURCE_NOT_ALLOWED";
    public const string OutsideTimeWindow = "OUTSIDE_TIME_WINDOW";

    /// <summary>The key is limited to other APIs of its organization than the one the gateway protects.</summary>
    public const string ApiNotAllowed = "API_NOT_ALLOWED";

    /// <summary>The key's environment (live or test) is not one the API accepts.</summary>
    public const string EnvironmentNotAllowed = "ENVIRONMENT_NOT_ALLOWED";

    /// <summary>The request's method or target is not in its one canonical form (<see cref="Apis.RequestTarget"/>), or asks for another method.</summary>
    public const string PathNotCanonical = "PATH_NOT_CANONICAL";

    /// <summary>
    /// The HTTP status every door answers a decision with, the one mapping in the product:
    /// 200 for <see cref="Valid"/>; 401 when the caller's identity is missing or unusable ("who are
    /// you": malformed, unknown or foreign, expired, revoked, disabled); 403 when a known caller may
    /// not make this request ("what may you": scope, resource, time window, API, environment,
    /// canonical target); 429 belongs to limits. Verify answers 200 and carries the code instead.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A code with no status here: every code must be placed in a class when it is added, and a door
    /// that met one would rather fail (which every gateway treats as a denial) than guess.
    /// </exception>
    public static int StatusOf(string code) => code switch
    {
        Valid => 200,
        Malformed or NotFound or Expired or Revoked or Disabled => 401,
        InsufficientScope or ResourceNotAllowed or OutsideTimeWindow or ApiNotAllowed or EnvironmentNotAllowed or PathNotCanonical => 403,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "This reason code has no status class."),
    };
}
