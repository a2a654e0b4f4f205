using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Keys;

namespace Portal.Api.Keys;

/// <summary>
/// Body of <c>POST /api/v1/keys/{id}/signing-credentials</c>: <c>{ "algorithm": "hmac-sha256" }</c> (the secret
/// is generated and answered once), or <c>{ "algorithm": "ecdsa-p256-sha256" | "ed25519", "publicKey": "&lt;PEM or JWK&gt;" }</c>;
/// <c>expiresAt</c> optional. The public key is at most 4 KiB.
/// </summary>
public sealed record AddSigningCredentialRequest(string? Algorithm, string? PublicKey = null, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// A signing credential: <c>keyId</c> is the RFC 9421 signature's <c>keyid</c>; <c>secret</c> (base64 of 32
/// bytes) only in the answer that created an <c>hmac-sha256</c> credential, never again.
/// </summary>
public sealed record SigningCredentialResponse(
    Guid Id,
    string KeyId,
    string Algorithm,
    string? PublicKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Secret = null)
{
    public static SigningCredentialResponse From(SigningCredentialView view, string? secret = null) =>
        new(view.Id, view.KeyId, view.Algorithm, view.PublicKey, view.CreatedAt, view.ExpiresAt, view.RevokedAt, secret);
}

/// <summary>
/// <c>/api/v1/keys/{id}/signing-credentials</c>: a key's credentials for RFC 9421 request signatures, for
/// whoever may change the key (never the key itself). Another tenant's key answers 404.
/// </summary>
public static class SigningCredentialsEndpoints
{
    public static RouteGroupBuilder MapSigningCredentials(this RouteGroupBuilder group)
    {
        group.MapGet("{id:guid}/signing-credentials", List).WithName("Keys_SigningCredentials_List")
            .WithSummary("List the key's signing credentials (RFC 9421 keyid, algorithm, public key, validity); never a secret.");
        group.MapPost("{id:guid}/signing-credentials", Add).WithName("Keys_SigningCredentials_Add")
            .WithSummary("Register a signing credential: hmac-sha256 (secret answered once) or an ecdsa-p256-sha256 / ed25519 public key (PEM or JWK).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("{id:guid}/signing-credentials/{credentialId:guid}", Revoke).WithName("Keys_SigningCredentials_Revoke")
            .WithSummary("Revoke a signing credential: signatures made with it are refused from the next request on.");
        return group;
    }

    private static async Task<Results<Ok<IReadOnlyList<SigningCredentialResponse>>, NotFound>> List(Guid id, SigningCredentialCatalog credentials, HttpContext context, CancellationToken ct) =>
        await credentials.ListAsync(CallerFactory.FromApiKey(context), id, ct) is { } list
            ? TypedResults.Ok<IReadOnlyList<SigningCredentialResponse>>([.. list.Select(c => SigningCredentialResponse.From(c))])
            : TypedResults.NotFound();

    private static async Task<Results<Created<SigningCredentialResponse>, NotFound>> Add(Guid id, AddSigningCredentialRequest request, SigningCredentialCatalog credentials, HttpContext context, CancellationToken ct) =>
        await credentials.AddAsync(CallerFactory.FromApiKey(context), id, request.Algorithm, request.PublicKey, request.ExpiresAt, ct) is { } issued
            ? TypedResults.Created($"/api/v1/keys/{id}/signing-credentials/{issued.Credential.Id}", SigningCredentialResponse.From(issued.Credential, issued.Secret))
            : TypedResults.NotFound();

    private static async Task<Results<Ok<SigningCredentialResponse>, NotFound>> Revoke(Guid id, Guid credentialId, SigningCredentialCatalog credentials, HttpContext context, CancellationToken ct) =>
        await credentials.RevokeAsync(CallerFactory.FromApiKey(context), id, credentialId, ct) is { } revoked
            ? TypedResults.Ok(SigningCredentialResponse.From(revoked))
            : TypedResults.NotFound();
}
