using System.Security.Claims;
using Portal.Auth;
using Portal.Core.Organizations;
using Portal.Core.Validation;

namespace Portal.Api;

public static class CallerFactory
{
    /// <summary>The caller behind an ApiKey-authenticated request: the key's owner, bound to the key's organization.</summary>
    public static Caller FromApiKey(HttpContext context)
    {
        var user = context.User;
        return new Caller(
            Guid.Parse(user.FindFirstValue(ApiKeyClaims.UserId)!),
            $"key {user.FindFirstValue(ApiKeyClaims.KeyHint)}",
            Channels.Api,
            context.Connection.RemoteIpAddress?.ToString(),
            Guid.Parse(user.FindFirstValue(ApiKeyClaims.OrganizationId)!),
            context.Items[typeof(KeySnapshot)] as KeySnapshot);
    }
}
