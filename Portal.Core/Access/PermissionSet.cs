using Portal.Core.Keys;

namespace Portal.Core.Access;

/// <summary>
/// A named, versioned bundle of grants built by an organization's admins. Keys reference it, so
/// editing it changes every key that uses it at once; each edit is kept as a version to compare.
/// </summary>
public sealed class PermissionSet
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 500;
    public const int MaxGrants = 50;

    /// <summary>The most permission sets one key references.</summary>
    public const int MaxPerKey = 20;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public int Version { get; set; } = 1;

    public List<Grant> Grants { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    public List<ApiKey> Keys { get; set; } = [];
}

/// <summary>A permission set as it was at one version (append-only).</summary>
public sealed class PermissionSetVersion
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid PermissionSetId { get; set; }

    public int Version { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public List<Grant> Grants { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }
}
