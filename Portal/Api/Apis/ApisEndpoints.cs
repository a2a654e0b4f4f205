using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Access;
using Portal.Core.Apis;

namespace Portal.Api.Apis;

/// <summary>
/// <c>/api/v1/apis</c>: the APIs of the calling key's organization and their endpoint rules, for
/// automation. A key holding <c>apis:read</c> reads them; <c>apis:manage</c> also changes them,
/// within its owner's role (ApiCatalog lets admins change and members read). Ids are the public
/// <c>api_…</c> form; an unknown id and another organization's id both answer 404.
/// </summary>
public static class ApisEndpoints
{
    /// <summary>The largest request body these endpoints read; an API or a rule is a few short strings.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>Maps the endpoints on a group at <c>/api/v1/apis</c>.</summary>
    public static RouteGroupBuilder MapApisEndpoints(this RouteGroupBuilder group)
    {
        // Every endpoint reads; the ones that change something also require apis:manage.
        group.WithTags("APIs").RequireAuthorization(Scope.ApisRead)
            .WithRequestLimits(MaxBodyBytes)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("", List).WithName("Apis_List").WithSummary("The organization's APIs, by name.");
        group.MapPost("", Create).WithName("Apis_Create").WithSummary("Register an API (organization admins); without environments it accepts live keys only.")
            .RequireAuthorization(Scope.ApisManage).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("{apiId}", Get).WithName("Apis_Get").WithSummary("An API of the organization.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("{apiId}", Update).WithName("Apis_Update").WithSummary("Change an API's name, description, environments or matching choices (organization admins).")
            .RequireAuthorization(Scope.ApisManage).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapDelete("{apiId}", Delete).WithName("Apis_Delete").WithSummary("Delete an API and its rules (organization admins); refused while a key is limited to it.")
            .RequireAuthorization(Scope.ApisManage).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("{apiId}/rules", Rules).WithName("Apis_Rules").WithSummary("An API's endpoint rules, by path template and method.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("{apiId}/rules", AddRule).WithName("Apis_AddRule").WithSummary("Add an endpoint rule: a method and path template and the scope it needs (organization admins).")
            .RequireAuthorization(Scope.ApisManage).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapDelete("{apiId}/rules/{ruleId:guid}", DeleteRule).WithName("Apis_DeleteRule").WithSummary("Delete an endpoint rule (organization admins).")
            .RequireAuthorization(Scope.ApisManage).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<ApiListResponse>, NotFound>> List(ApiCatalog apis, HttpContext context, CancellationToken ct)
    {
        var caller = CallerFactory.FromApiKey(context);
        return await apis.ListAsync(caller, caller.OrganizationId!.Value, ct) is { } list
            ? TypedResults.Ok(new ApiListResponse([.. list.Select(ApiResponse.From)]))
            : TypedResults.NotFound();
    }

    private static async Task<Created<ApiResponse>> Create(CreateApiRequest request, ApiCatalog apis, HttpContext context, CancellationToken ct)
    {
        var caller = CallerFactory.FromApiKey(context);
        var draft = new ApiDraft(request.Name, request.Description, ApiEnvironmentNames.Parse(request.Environments), request.AllowUnmatchedRequests, request.CaseSensitivePaths, request.Protections);
        var api = await apis.CreateAsync(caller, caller.OrganizationId!.Value, draft, ct);
        return TypedResults.Created($"/api/v1/apis/{api.PublicId}", ApiResponse.From(api));
    }

    private static async Task<Results<Ok<ApiResponse>, NotFound>> Get(string apiId, ApiCatalog apis, HttpContext context, CancellationToken ct) =>
        ApiId.TryParse(apiId, out var id) && await apis.FindAsync(CallerFactory.FromApiKey(context), id, ct) is { } api
            ? TypedResults.Ok(ApiResponse.From(api))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<ApiResponse>, NotFound>> Update(string apiId, UpdateApiRequest request, ApiCatalog apis, HttpContext context, CancellationToken ct)
    {
        if (!ApiId.TryParse(apiId, out var id))
        {
            return TypedResults.NotFound();
        }

        var changes = new ApiChanges(request.Name, request.Description, ApiEnvironmentNames.Parse(request.Environments), request.AllowUnmatchedRequests, request.CaseSensitivePaths, request.Protections);
        return await apis.UpdateAsync(CallerFactory.FromApiKey(context), id, changes, ct) is { } api
            ? TypedResults.Ok(ApiResponse.From(api))
            : TypedResults.NotFound();
    }

    private static async Task<Results<NoContent, NotFound>> Delete(string apiId, ApiCatalog apis, HttpContext context, CancellationToken ct) =>
        ApiId.TryParse(apiId, out var id) && await apis.DeleteAsync(CallerFactory.FromApiKey(context), id, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    private static async Task<Results<Ok<EndpointRuleListResponse>, NotFound>> Rules(string apiId, ApiCatalog apis, HttpContext context, CancellationToken ct) =>
        ApiId.TryParse(apiId, out var id) && await apis.RulesAsync(CallerFactory.FromApiKey(context), id, ct) is { } rules
            ? TypedResults.Ok(new EndpointRuleListResponse([.. rules.Select(EndpointRuleResponse.From)]))
            : TypedResults.NotFound();

    private static async Task<Results<Created<EndpointRuleResponse>, NotFound>> AddRule(string apiId, AddEndpointRuleRequest request, ApiCatalog apis, HttpContext context, CancellationToken ct) =>
        ApiId.TryParse(apiId, out var id) && await apis.AddRuleAsync(CallerFactory.FromApiKey(context), id, request.Method, request.PathTemplate, request.Scope, ct, request.Cost, request.SignatureRequired) is { } rule
            ? TypedResults.Created($"/api/v1/apis/{apiId}/rules/{rule.Id}", EndpointRuleResponse.From(rule))
            : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> DeleteRule(string apiId, Guid ruleId, ApiCatalog apis, HttpContext context, CancellationToken ct) =>
        ApiId.TryParse(apiId, out var id) && await apis.DeleteRuleAsync(CallerFactory.FromApiKey(context), id, ruleId, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
}
