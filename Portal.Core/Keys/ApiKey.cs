using Portal.Core.Access;
using Portal.Core.Organizations;

namespace Portal.Core.Keys;

/// <summary>
/// A key's identity and permissions. The token itself lives only with its holder: what is stored
/// is <see cref="ApiKeySecret"/>, an HMAC of each token the key has had.
/// </summary>
public sealed class ApiKey
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 500;

    /// <summary>The most APIs a key can be limited to (a key limited to none may call them all).</summary>
    public const int MaxApis = 50;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid OwnerId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public KeyEnvironment Environment { get; set; }

    public KeyStatus Status { get; set; }

    /// <summary>Scope strings such as <c>orders:read</c>: grants without conditions.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Grants limited to resources or a schedule.</summary>
    public List<Grant> Grants { get; set; } = [];

    /// <summary>When the key may be used at all (not-before, weekly windows); null means whenever it is active.</summary>
    public AccessSchedule? Schedule { get; set; }

    /// <summary>The APIs (of its organization) the key may call at the gateway door; empty means all of them.</summary>
    public List<Guid> ApiIds { get; set; } = [];

    /// <summary>Permission sets whose grants the key also holds, at their current version.</summary>
    public List<PermissionSet> PermissionSets { get; set; } = [];

    /// <summary>Display hint of the current token: prefix, first four random and last four characters.</summary>
    public required string Hint { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public string? LastUsedIp { get; set; }

    /// <summary>Optimistic concurrency: two edits of one key never silently overwrite each other.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    public List<ApiKeySecret> Secrets { get; set; } = [];

    /// <summary>The quota's credits left as of <see cref="QuotaAsOf"/>, as last stored by the quota writer or set by an admin; null without a quota.</summary>
    public long? QuotaRemaining { get; set; }

    /// <summary>When <see cref="QuotaRemaining"/> was counted.</summary>
    public DateTimeOffset? QuotaAsOf { get; set; }

    /// <summary>Changes whenever the quota is set: counts taken against an older setting are not stored over it.</summary>
    public Guid? QuotaStamp { get; set; }

    public Organization? Organization { get; set; }

    public PortalUser? Owner { get; set; }
}
