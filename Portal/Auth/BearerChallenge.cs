using Portal.Core.Validation;

namespace Portal.Auth;

/// <summary>
/// The <c>WWW-Authenticate</c> value of a 401, the same at every door (RFC 6750 section 3): a request
/// that carries no credential at all (<see cref="ReasonCodes.Missing"/>) is told only which scheme
/// to use, <c>Bearer</c>, with no error code, as section 3.1 asks; every other refusal of the
/// credential is <c>Bearer error="invalid_token"</c>.
/// </summary>
public static class BearerChallenge
{
    public const string NoCredential = "Bearer";
    public const string InvalidToken = "Bearer error=\"invalid_token\"";

    /// <summary>The challenge for a 401 with <paramref name="code"/>.</summary>
    public static string For(string? code) => code == ReasonCodes.Missing ? NoCredential : InvalidToken;
}
