using Microsoft.Net.Http.Headers;

namespace Portal.Auth;

public enum CredentialOutcome
{
    Absent,
    Found,
    Ambiguous,
    WrongScheme,
}

/// <summary>Reads the one API key a request carries, refusing requests that carry two.</summary>
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

        var value = authorization[0] ?? "";
        const string bearer = "Bearer ";
        return value.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            ? new(CredentialOutcome.Found, value[bearer.Length..].Trim())
            : new(CredentialOutcome.WrongScheme, null);
    }
}
