using Portal.Core.Access;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Signatures;

namespace Portal.Core.Validation;

/// <summary>
/// What the validator needs to know about one token of a key, read once and immutable so it can be
/// cached and shared across threads. Kept small (times as ticks, enums as bytes, no copy of the
/// hash, which is the cache's key): a node may hold a million of them.
/// </summary>
public sealed class KeySnapshot
{
    private readonly long _expiresAtTicks;
    private readonly long _tokenRetiresAtTicks;
    private readonly byte _environment;
    private readonly byte _status;

    public required Guid KeyId { get; init; }

    public required Guid OrganizationId { get; init; }

    public required Guid OwnerId { get; init; }

    public required string Name { get; init; }

    public required KeyEnvironment Environment { get => (KeyEnvironment)_environment; init => _environment = (byte)value; }

    public required KeyStatus Status { get => (KeyStatus)_status; init => _status = (byte)value; }

    /// <summary>The key's expiry; null when it never expires.</summary>
    public required DateTimeOffset? ExpiresAt
    {
        get => FromTicks(_expiresAtTicks);
        init => _expiresAtTicks = value?.UtcTicks ?? 0;
    }

    /// <summary>When this token stops working because the key was rotated; null for the current token.</summary>
    public required DateTimeOffset? TokenRetiresAt
    {
        get => FromTicks(_tokenRetiresAtTicks);
        init => _tokenRetiresAtTicks = value?.UtcTicks ?? 0;
    }

    /// <summary>The APIs of its organization the key may call; empty means all of them.</summary>
    public Guid[] ApiIds { get; init; } = [];

    /// <summary>The key's IP allowlist, country rules, rate limits and quota, compiled.</summary>
    public CompiledProtections Protections { get; init; } = CompiledProtections.None;

    /// <summary>The key's active signing credentials (RFC 9421 <c>keyid</c>s), compiled; empty without any.</summary>
    public SigningCredentialSet Signing { get; init; } = SigningCredentialSet.Empty;

    /// <summary>Everything the key may do, compiled (shared between snapshots with the same grants).</summary>
    public required CompiledAccess Access { get; init; }

    /// <summary>
    /// Sorted, de-duplicated scope strings of every grant the key holds, whatever its conditions:
    /// for display only. Decisions go through <see cref="KeyValidator.Decide"/>, and what a door
    /// hands on is what the key holds at that moment (<see cref="CompiledAccess.OpenAt"/>).
    /// </summary>
    public string[] Scopes => Access.Scopes;

    /// <summary>Whether the key may be used at this API (which must be of the key's organization).</summary>
    public bool MayCall(Guid apiId) => ApiIds.Length == 0 || Array.IndexOf(ApiIds, apiId) >= 0;

    /// <summary>Whether the key's expiry or this token's rotation grace has passed.</summary>
    public bool IsPastEnd(long nowTicks) =>
        (_expiresAtTicks != 0 && _expiresAtTicks <= nowTicks) || (_tokenRetiresAtTicks != 0 && _tokenRetiresAtTicks <= nowTicks);

    private static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
