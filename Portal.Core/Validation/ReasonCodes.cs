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
    /// True for codes where the key is genuine but not allowed this request (HTTP 403); the others
    /// mean the caller is not authenticated (HTTP 401).
    /// </summary>
    public static bool IsAuthorizationFailure(string code) =>
        code is InsufficientScope or ResourceNotAllowed or OutsideTimeWindow or ApiNotAllowed or EnvironmentNotAllowed or PathNotCanonical;
}
