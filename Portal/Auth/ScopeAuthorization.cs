using Microsoft.AspNetCore.Authorization;
using Portal.Core.Access;

namespace Portal.Auth;

/// <summary>Requires an API key holding a scope, or one of its alternatives (wildcards such as <c>keys:*</c> count).</summary>
public sealed class ScopeRequirement(string scope, params string[] alternatives) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    /// <summary>Other scopes that meet the requirement too (<c>apis:manage</c> lets a key read APIs).</summary>
    public IReadOnlyList<string> Alternatives { get; } = alternatives;

    /// <summary>Whether a scope the key holds meets the requirement.</summary>
    public bool IsMetBy(string granted)
    {
        if (Core.Access.Scope.Satisfies(granted, Scope))
        {
            return true;
        }

        foreach (var alternative in Alternatives)
        {
            if (Core.Access.Scope.Satisfies(granted, alternative))
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.FindAll(ApiKeyClaims.Scope).Any(c => requirement.IsMetBy(c.Value)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

public static class ScopePolicies
{
    /// <summary>Requires an ApiKey-authenticated caller holding <paramref name="scope"/> or one of the <paramref name="alternatives"/>.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, string scope, params string[] alternatives) =>
        builder.AddAuthenticationSchemes(ApiKeyDefaults.AuthenticationScheme).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope, alternatives));
}
