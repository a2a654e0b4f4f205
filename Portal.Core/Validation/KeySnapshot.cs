using Portal.Core.Keys;

namespace Portal.Core.Validation;

/// <summary>
/// What the validator needs to know about one token of a key, read once and immutable so it can be
/// cached and shared across threads. Kept small: a node may hold a million of them.
/// </summary>
public sealed class KeySnapshot
{
    /// <summary>The stored HMAC of the token, compared in constant time.</summary>
    public required HashKey Hash { get; init; }

    public required Guid KeyId { get; init; }

    public required Guid OrganizationId { get; init; }

    public required Guid OwnerId { get; init; }

    public required string Name { get; init; }

    public required KeyEnvironment Environment { get; init; }

    public required KeyStatus Status { get; init; }

    /// <summary>The key's expiry; null when it never expires.</summary>
    public required DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When this token stops working because the key was rotated; null for the current token.</summary>
    public required DateTimeOffset? TokenRetiresAt { get; init; }

    /// <summary>Sorted, de-duplicated scope strings (shared between snapshots with the same set).</summary>
    public required string[] Scopes { get; init; }

    /// <summary>The same snapshot filed under another hash (a token hashed with an older pepper).</summary>
    public KeySnapshot WithHash(HashKey hash) => new()
    {
        Hash = hash,
        KeyId = KeyId,
        OrganizationId = OrganizationId,
        OwnerId = OwnerId,
        Name = Name,
        Environment = Environment,
        Status = Status,
        ExpiresAt = ExpiresAt,
        TokenRetiresAt = TokenRetiresAt,
        Scopes = Scopes,
    };
}
