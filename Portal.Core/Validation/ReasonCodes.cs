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

    /// <summary>
    /// True for codes where the key is genuine but not allowed this request (HTTP 403); the others
    /// mean the caller is not authenticated (HTTP 401).
    /// </summary>
    public static bool IsAuthorizationFailure(string code) =>
        code is InsufficientScope or ResourceNotAllowed or OutsideTimeWindow;
}
