using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Api.Apis;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Usage;

namespace Portal.Api.Keys;

/// <summary>
/// <c>/api/v1/keys</c>: the key lifecycle for the key's owner, within the organization of the
/// calling key. Another tenant's key answers 404, exactly like a key that does not exist.
/// </summary>
public static class KeysEndpoints
{
    /// <summary>
    /// The largest body these endpoints read: 384 KB. The largest key the list maxima allow (50 scopes,
    /// 50 grants × 20 resource patterns of 200 characters, schedules of 14 windows) is about 290 KB
    /// as compact JSON; the server-wide limit is 1 MB.
    /// </summary>
    public const long MaxBodyBytes = 384 * 1024;

    public static RouteGroupBuilder MapKeysEndpoints(this RouteGroupBuilder group)
    {
        group.WithTags("Keys").RequireAuthorization(Scope.KeysManage).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).WithRequestLimits(MaxBodyBytes);

        group.MapPost("", Create).WithName("Keys_Create").WithSummary("Create a key; the token is in the response, once.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("", List).WithName("Keys_List").WithSummary("List keys, newest first, with cursor paging.").ProducesValidationProblem();
        group.MapGet("{id:guid}", Get).WithName("Keys_Get").WithSummary("Get a key and its token history (hints only).");
        group.MapPatch("{id:guid}", Update).WithName("Keys_Update").WithSummary("Change name, description, scopes, grants, schedule, permission sets, the APIs it may call, or expiry.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("{id:guid}/lift-suspension", LiftSuspension).WithName("Keys_LiftSuspension")
            .WithSummary("Make a key suspended by a leaked-key signal active again (organization admins; keys need keys:admin); refused while a reported token of it still works.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("{id:guid}/rotate", Rotate).WithName("Keys_Rotate").WithSummary("Issue a new token; the old one works for the grace period (none for a suspended key, which stays suspended).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("{id:guid}/usage", Usage).WithName("Keys_Usage").WithSummary("Requests per minute and reason code over the last `minutes` (default 60).")
            .ProducesValidationProblem();
        group.MapPost("{id:guid}/revoke", Revoke).WithName("Keys_Revoke").WithSummary("Revoke a key: every token of it is refused at once.");
        return group.MapSigningCredentials();
    }

    private static async Task<Created<IssuedKeyResponse>> Create(CreateKeyRequest request, KeyCatalog keys, HttpContext context, CancellationToken ct)
    {
        var issued = await keys.CreateAsync(
            CallerFactory.FromApiKey(context),
            new CreateKeyCommand(request.Name, request.Description, request.Environment, request.Scopes, request.ExpiresAt, null, request.Grants, request.Schedule, request.PermissionSets, PublicApiIds.Parse(request.ApiIds), request.Protections),
            ct);
        return TypedResults.Created($"/api/v1/keys/{issued.Key.Id}", new IssuedKeyResponse(issued.Token, KeyResponse.From(issued.Key, withTokens: true)));
    }

    private static async Task<Ok<KeyPageResponse>> List(KeyCatalog keys, HttpContext context, CancellationToken ct, int limit = 20, string? cursor = null, string? search = null, string? status = null)
    {
        var page = await keys.ListAsync(CallerFactory.FromApiKey(context), new KeyQuery(Search: search, Status: ParseStatus(status), Limit: limit, Cursor: cursor), ct);
        return TypedResults.Ok(new KeyPageResponse([.. page.Items.Select(k => KeyResponse.From(k))], page.NextCursor));
    }

    /// <summary>Reads the status filter as the API writes statuses ("revoked"), in any case.</summary>
    private static KeyStatus? ParseStatus(string? status)
    {
        if (string.IsNullOrEmpty(status))
        {
            return null;
        }

        foreach (var value in Enum.GetValues<KeyStatus>())
        {
            if (value.ToString().Equals(status, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new InvalidRequestException("status", $"Status must be one of: {string.Join(", ", Enum.GetNames<KeyStatus>().Select(n => n.ToLowerInvariant()))}.");
    }

    private static async Task<Results<Ok<KeyResponse>, NotFound>> Get(Guid id, KeyCatalog keys, HttpContext context, CancellationToken ct) =>
        await keys.FindAsync(CallerFactory.FromApiKey(context), id, ct) is { } key
            ? TypedResults.Ok(KeyResponse.From(key, withTokens: true))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<KeyResponse>, NotFound>> Update(Guid id, UpdateKeyRequest request, KeyCatalog keys, HttpContext context, CancellationToken ct) =>
        await keys.UpdateAsync(
                CallerFactory.FromApiKey(context),
                id,
                new UpdateKeyCommand(request.Name, request.Description, request.Scopes, request.ExpiresAt, request.RemoveExpiry, request.Grants, request.Schedule, request.RemoveSchedule, request.PermissionSets, PublicApiIds.Parse(request.ApiIds), request.Protections),
                ct) is { } key
            ? TypedResults.Ok(KeyResponse.From(key, withTokens: true))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<KeyResponse>, NotFound>> LiftSuspension(Guid id, KeyCatalog keys, HttpContext context, CancellationToken ct) =>
        await keys.LiftSuspensionAsync(CallerFactory.FromApiKey(context), id, ct) is { } key
            ? TypedResults.Ok(KeyResponse.From(key, withTokens: true))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<IssuedKeyResponse>, NotFound>> Rotate(Guid id, RotateKeyRequest? request, KeyCatalog keys, HttpContext context, CancellationToken ct) =>
        await keys.RotateAsync(CallerFactory.FromApiKey(context), id, request?.GracePeriodSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null, ct) is { } issued
            ? TypedResults.Ok(new IssuedKeyResponse(issued.Token, KeyResponse.From(issued.Key, withTokens: true), issued.OldTokenRetiresAt))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<UsagePoint>>, NotFound>> Usage(Guid id, UsageQuery usage, HttpContext context, CancellationToken ct, int minutes = 60)
    {
        // Checked here so the error names the query parameter the caller sent, not the range it becomes.
        if (minutes < 1 || minutes > UsageQuery.MaxRange.TotalMinutes)
        {
            throw new InvalidRequestException("minutes", $"Minutes must be between 1 and {UsageQuery.MaxRange.TotalMinutes:0}.");
        }

        return await usage.KeyMinutesAsync(CallerFactory.FromApiKey(context), id, TimeSpan.FromMinutes(minutes), ct) is { } points
            ? TypedResults.Ok(points)
            : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<KeyResponse>, NotFound>> Revoke(Guid id, KeyCatalog keys, HttpContext context, CancellationToken ct) =>
        await keys.RevokeAsync(CallerFactory.FromApiKey(context), id, ct) is { } key
            ? TypedResults.Ok(KeyResponse.From(key))
            : TypedResults.NotFound();
}
