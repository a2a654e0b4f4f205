namespace Portal.Auth;

public static class ApiKeyDefaults
{
    public const string AuthenticationScheme = "ApiKey";

    /// <summary>The alternative header to <c>Authorization: Bearer</c>.</summary>
    public const string HeaderName = "X-Api-Key";
}

/// <summary>
/// Claim types the ApiKey scheme puts on its principal: who the key is. What it may do is not a
/// claim: scope requirements decide it from the key's snapshot at the moment of the request.
/// </summary>
public static class ApiKeyClaims
{
    public const string UserId = "sub";
    public const string KeyId = "key_id";
    public const string KeyHint = "key_hint";
    public const string OrganizationId = "org_id";
}
