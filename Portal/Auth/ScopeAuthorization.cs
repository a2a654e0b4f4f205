using Microsoft.AspNetCore.Authorization;
using Portal.Core.Validation;

namespace Portal.Auth;

/// <summary>
/// Requires an API key that may use a scope, or one of its alternatives, at the moment of the
/// request: decided by <see cref="KeyValidator.Decide"/> like at every other door, so a grant's
/// weekly window, the key's own schedule and resource limits apply (wildcards such as
/// <c>keys:*</c> and the read &lt; write &lt; admin order count, as everywhere).
/// </summary>
public sealed class ScopeRequirement(string scope, params string[] alternatives) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    /// <summary>Other scopes that meet the requirement too (<c>apis:manage</c> lets a key read APIs).</summary>
    public IReadOnlyList<string> Alternatives { get; } = alternatives;

    /// <summary>
    /// Decides the requirement for a key at <paramref name="now"/>: <see cref="ReasonCodes.Valid"/>
    /// when the scope or an alternative is open to the key, else the closest miss among them
    /// (outside a time window, then resource not allowed, then insufficient scope), or the code
    /// that makes the key unusable. The product's own endpoints apply no resource filters after
    /// the decision, so a grant limited to resources does not open them
    /// (<see cref="RequestContext.EnforceResourceFilters"/>).
    /// </summary>
    public string Decide(KeySnapshot key, DateTimeOffset now)
    {
        var miss = Decide(key, Scope, now);
        foreach (var alternative in Alternatives)
        {
            if (ReferenceEquals(miss, ReasonCodes.Valid) || Rank(miss) == 0)
            {
                break;
            }

            var code = Decide(key, alternative, now);
            if (Rank(code) > Rank(miss) || ReferenceEquals(code, ReasonCodes.Valid))
            {
                miss = code;
            }
        }

        return miss;
    }

    /// <summary>The scope and its alternatives in words, for a refusal's detail.</summary>
    public string Describe() =>
        Alternatives.Count == 0 ? $"'{Scope}'" : $"'{Scope}' (or {string.Join(", ", Alternatives.Select(a => $"'{a}'"))})";

    private static string Decide(KeySnapshot key, string scope, DateTimeOffset now) =>
        KeyValidator.Decide(key, new RequestContext(RequiredScope: scope, EnforceResourceFilters: true, ProtectionsChecked: true), now).Code;

    // How close a miss came to an allowance; 0 for codes about the key itself, which every alternative shares.
    private static int Rank(string code) => code switch
    {
        ReasonCodes.InsufficientScope => 1,
        ReasonCodes.ResourceNotAllowed => 2,
        ReasonCodes.OutsideTimeWindow => 3,
        _ => 0,
    };
}

/// <summary>
/// Decides every scope requirement of a policy at once for the key the ApiKey scheme authenticated
/// (never from claims), with the request's time, and records the decision once in the
/// authentication log: <see cref="ReasonCodes.Valid"/>, or the first refusal's code, which the
/// scheme's forbid answer then carries.
/// </summary>
internal sealed class ScopeRequirementHandler(DecisionRecorder recorder, TimeProvider time) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        // Without a key decision (no key, or another scheme) the requirements stay unmet.
        if (context.Resource is not HttpContext http || http.Items[typeof(ApiKeyDecision)] is not ApiKeyDecision decision)
        {
            return Task.CompletedTask;
        }

        var requirements = context.PendingRequirements.OfType<ScopeRequirement>().ToList();
        if (requirements.Count == 0)
        {
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow();
        foreach (var requirement in requirements)
        {
            var code = requirement.Decide(decision.Key, now);
            if (ReferenceEquals(code, ReasonCodes.Valid))
            {
                context.Succeed(requirement);
                decision.Meet(requirement.Scope);
            }
            else
            {
                decision.Refuse(code, requirement.Describe(), requirement.Scope);
            }
        }

        decision.Record(recorder, decision.RefusalCode ?? ReasonCodes.Valid, now);
        return Task.CompletedTask;
    }
}

public static class ScopePolicies
{
    /// <summary>Requires an ApiKey-authenticated caller that may use <paramref name="scope"/> or one of the <paramref name="alternatives"/> now.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, string scope, params string[] alternatives) =>
        builder.AddAuthenticationSchemes(ApiKeyDefaults.AuthenticationScheme).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope, alternatives));
}
