using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Organizations;

namespace Portal.Auth;

/// <summary>
/// The platform administrators' policy (the jobs dashboard): signed in with the portal cookie and
/// in the platform administrator role. Anonymous users are sent to the sign-in page; signed-in
/// users without the role get a plain 403 rather than the cookie handler's redirect, so the
/// answer says what it is.
/// </summary>
public static class PlatformAdministratorAuthorization
{
    public const string Policy = "PlatformAdministrator";

    public static AuthorizationBuilder AddPlatformAdministratorPolicy(this AuthorizationBuilder builder) =>
        builder.AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()
            .RequireRole(PlatformRoles.Administrator));

    internal static bool IsPlatformAdministratorPolicy(AuthorizationPolicy policy) =>
        policy.Requirements.OfType<RolesAuthorizationRequirement>().Any(r => r.AllowedRoles.Contains(PlatformRoles.Administrator));
}

/// <summary>Answers 403 (no redirect) when a signed-in user lacks the platform administrator role.</summary>
internal sealed class PlatformAdministratorResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && PlatformAdministratorAuthorization.IsPlatformAdministratorPolicy(policy))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
