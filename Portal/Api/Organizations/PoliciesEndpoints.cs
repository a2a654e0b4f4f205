using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Access;
using Portal.Core.Organizations;

namespace Portal.Api.Organizations;

/// <summary>
/// <c>/api/v1/organizations/{id}/policies</c>: read (any member) and replace (admins and owners)
/// the organization's key policies, with a key holding <c>policies:manage</c>. The key acts as its
/// owner and only in its own organization; another organization answers 404.
/// </summary>
public static class PoliciesEndpoints
{
    /// <summary>The largest body these endpoints read: a policy is six numbers and a word.</summary>
    public const long MaxBodyBytes = 16 * 1024;

    public static RouteGroupBuilder MapPoliciesEndpoints(this RouteGroupBuilder group)
    {
        group.WithTags("Organizations").RequireAuthorization(Scope.PoliciesManage).WithRequestLimits(MaxBodyBytes)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("{id:guid}/policies", Get).WithName("Policies_Get").WithSummary("The organization's key policies.");
        group.MapPut("{id:guid}/policies", Put).WithName("Policies_Put")
            .WithSummary("Replace the organization's key policies (admins and owners). Out-of-range values are refused, naming the field; nothing is saved.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Results<Ok<PolicyResponse>, NotFound>> Get(Guid id, OrganizationPolicies policies, HttpContext context, CancellationToken ct) =>
        await policies.GetAsync(CallerFactory.FromApiKey(context), id, ct) is { } policy
            ? TypedResults.Ok(PolicyResponse.From(policy))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<PolicyResponse>, NotFound>> Put(Guid id, PolicyRequest request, OrganizationPolicies policies, HttpContext context, CancellationToken ct) =>
        await policies.UpdateAsync(CallerFactory.FromApiKey(context), id, request.ToSettings(), ct) is { } policy
            ? TypedResults.Ok(PolicyResponse.From(policy))
            : TypedResults.NotFound();
}
