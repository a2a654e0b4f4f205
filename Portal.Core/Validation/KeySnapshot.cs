using Portal.Core.Keys;

namespace Portal.Core.Validation;

/// <summary>
/// What the validator needs to know about one token of a key, read once and kept immutable so it
/// can be cached and shared across threads.
/// </summary>
public sealed class KeySnapshot
{
    public required Guid KeyId { get; init; }

    public required Guid OrganizationId { get; init; }

    public required Guid OwnerId { get; init; }

    public required string Name { get; init; }

    /// <summary>The hint of the token this snapshot was found by (it may be a rotated-out one).</summary>
    public required string Hint { get; init; }

    public required KeyEnvironment Environment { get; init; }

    public required KeyStatus Status { get; init; }

    public required DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When this token stops working because the key was rotated; null for the current token.</summary>
    public required DateTimeOffset? TokenRetiresAt { get; init; }

    public required string[] Scopes { get; init; }

    /// <summary>The stored HMAC of the token, compared in constant time.</summary>
    public required byte[] Hash { get; init; }
}
