namespace Portal.Core.Organizations;

/// <summary>A user's role in an organization.</summary>
public sealed class Membership
{
    public Guid OrganizationId { get; set; }

    public Guid UserId { get; set; }

    public OrganizationRole Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public Organization? Organization { get; set; }

    public PortalUser? User { get; set; }
}

/// <summary>Roles in an organization, least to most privileged; the numeric order is relied on.</summary>
public enum OrganizationRole
{
    /// <summary>Reads keys and logs; changes nothing.</summary>
    Viewer = 0,

    /// <summary>Creates and manages their own keys.</summary>
    Developer = 1,

    /// <summary>Manages every key of the organization, its members, sets and policies.</summary>
    Admin = 2,

    /// <summary>An admin who can also delete the organization and name other owners.</summary>
    Owner = 3,
}
