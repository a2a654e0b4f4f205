using Microsoft.Net.Http.Headers;

namespace Portal.Auth;

public enum CredentialOutcome
{
    Absent,
    Found,
    Ambiguous,
    WrongScheme,
}

/// <summary>
/// Reads the one API key a request carries, refusing requests that carry two. An empty header, or
/// <c>Bearer</c> with nothing after it, is <see cref="CredentialOutcome.Found"/> with an empty token,
/// which every door answers <c>MISSING</c>, as it does a request with neither header.
/// </summary>
public readonly record struct ApiKeyCredentials(CredentialOutcome Outcome, string? Token)
{
    public static ApiKeyCredentials Read(IHeaderDictionary headers)
    {
        var authorization = headers[HeaderNames.Authorization];
        var apiKey = headers[ApiKeyDefaults.HeaderName];
        if (authorization.Count + apiKey.Count > 1)
        {
            return new(CredentialOutcome.Ambiguous, null);
        }

        if (apiKey.Count == 1)
        {
            return new(CredentialOutcome.Found, apiKey[0]?.Trim() ?? "");
        }

        if (authorization.Count == 0)
        {
            return new(CredentialOutcome.Absent, null);
        }

        var value = (authorization[0] ?? "").Trim();
        const string bearer = "Bearer";
        // "Bearer" with nothing after it (servers trim the space a client left) carries an empty
        // token: no credential (MISSING), not another scheme (MALFORMED).
        return value.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && (value.Length == bearer.Length || value[bearer.Length] == ' ')
            ? new(CredentialOutcome.Found, value[bearer.Length..].Trim())
            : new(CredentialOutcome.WrongScheme, null);
    }
}
