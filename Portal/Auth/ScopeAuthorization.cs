using Microsoft.AspNetCore.Authorization;
using Portal.Core.Access;

namespace Portal.Auth;

/// <summary>Requires an API key holding a scope (wildcards such as <c>keys:*</c> count).</summary>
public sealed class ScopeRequirement(string scope) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;
}

internal sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.FindAll(ApiKeyClaims.Scope).Any(c => Scope.Satisfies(c.Value, requirement.Scope)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

public static class ScopePolicies
{
    /// <summary>Requires an ApiKey-authenticated caller holding <paramref name="scope"/>.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, string scope) =>
        builder.AddAuthenticationSchemes(ApiKeyDefaults.AuthenticationScheme).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope));
}
