using Portal.Core.Access;
using Portal.Core.Protections;

namespace Portal.Core.Keys;

/// <summary>What a caller asks for when creating a key.</summary>
/// <param name="ApiIds">The organization's APIs the key may call at the gateway door; null or empty for all of them.</param>
/// <param name="Protections">The key's IP allowlist, country rules, rate limits and quota; null for none.</param>
public sealed record CreateKeyCommand(
    string? Name,
    string? Description = null,
    KeyEnvironment Environment = KeyEnvironment.Test,
    IReadOnlyList<string>? Scopes = null,
    DateTimeOffset? ExpiresAt = null,
    Guid? OrganizationId = null,
    IReadOnlyList<Grant>? Grants = null,
    AccessSchedule? Schedule = null,
    IReadOnlyList<Guid>? PermissionSetIds = null,
    IReadOnlyList<Guid>? ApiIds = null,
    RequestProtections? Protections = null);

/// <summary>A partial update; null fields are left as they are.</summary>
/// <param name="ApiIds">The APIs the key may call from now on; empty for all of the organization's APIs, null to leave them.</param>
/// <param name="Protections">Changes to the key's IP allowlist, country rules, rate limits and quota; null to leave them all.</param>
public sealed record UpdateKeyCommand(
    string? Name = null,
    string? Description = null,
    IReadOnlyList<string>? Scopes = null,
    DateTimeOffset? ExpiresAt = null,
    bool RemoveExpiry = false,
    IReadOnlyList<Grant>? Grants = null,
    AccessSchedule? Schedule = null,
    bool RemoveSchedule = false,
    IReadOnlyList<Guid>? PermissionSetIds = null,
    IReadOnlyList<Guid>? ApiIds = null,
    ProtectionChanges? Protections = null);

/// <summary>
/// A key with the token it was just given. The only object that ever carries a token.
/// <paramref name="OldTokenRetiresAt"/>: after a rotation, when the replaced token(s) stop working
/// (the rotation's time itself when the grace is zero or the key is suspended); null for a new key.
/// </summary>
public sealed record IssuedKey(ApiKey Key, string Token, DateTimeOffset? OldTokenRetiresAt = null);

/// <summary>How a listing is filtered and where a page starts.</summary>
public sealed record KeyQuery(
    Guid? OrganizationId = null,
    string? Search = null,
    KeyStatus? Status = null,
    int Limit = 20,
    string? Cursor = null);

/// <summary>One page of keys, newest first, and the cursor of the next page (null at the end).</summary>
public sealed record KeyPage(IReadOnlyList<ApiKey> Items, string? NextCursor);

/// <summary>The columns the portal's key list can be ordered by.</summary>
public enum KeySort
{
    CreatedAt = 0,
    Name = 1,
    ExpiresAt = 2,
    LastUsedAt = 3,
}

/// <summary>
/// A page of the portal's key list: offset paging with any sort, for a grid with page numbers.
/// No total is counted; <see cref="KeyListPage.HasMore"/> says whether a next page exists.
/// </summary>
public sealed record KeyListQuery(
    Guid OrganizationId,
    string? Search = null,
    KeyStatus? Status = null,
    KeySort Sort = KeySort.CreatedAt,
    bool Descending = true,
    int Offset = 0,
    int Limit = 20);

/// <summary>One row of the key list: what the grid shows, nothing more (no token history).</summary>
public sealed record KeyListItem(
    Guid Id,
    string Name,
    string Hint,
    KeyEnvironment Environment,
    KeyStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    Guid OwnerId,
    string? OwnerEmail);

public sealed record KeyListPage(IReadOnlyList<KeyListItem> Items, bool HasMore);
