using Portal.Core.Access;
using System.Text.Json.Serialization;

namespace Portal.Api.Verify;

/// <summary>Body of <c>POST /api/v1/keys/verify</c>.</summary>
/// <param name="Key">The token to decide about.</param>
/// <param name="Scope">A scope the request needs, e.g. <c>orders:read</c>; absent: authenticate only.</param>
/// <param name="Resource">An asset the request touches (checked once asset-level grants exist).</param>
/// <param name="Method">The HTTP method of the app's request, for the log.</param>
/// <param name="Path">The path of the app's request, for the log.</param>
/// <param name="ClientIp">The address of the app's client, for the log and usage.</param>
public sealed record VerifyRequest(string? Key, string? Scope = null, string? Resource = null, string? Method = null, string? Path = null, string? ClientIp = null);

/// <summary>
/// The decision. Identity fields are present only when <c>valid</c> is true; a key of another
/// organization answers exactly like a key that does not exist.
/// </summary>
/// <remarks>Absent fields are left out of the JSON; a valid key without <c>expiresAt</c> never expires.</remarks>
public sealed record VerifyResponse(
    bool Valid,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? KeyId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? OwnerId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? OrganizationId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Scopes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ResourceFilter>? Filters = null);
