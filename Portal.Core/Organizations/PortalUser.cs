using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Organizations;

/// <summary>A person who signs in to the portal and owns keys.</summary>
public sealed class PortalUser : IdentityUser<Guid>
{
    public PortalUser()
    {
        Id = Guid.CreateVersion7();
        SecurityStamp = Guid.NewGuid().ToString();
    }

    public Guid PersonalOrganizationId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Platform-wide role names (not organization roles).</summary>
public static class PlatformRoles
{
    public const string Administrator = "PlatformAdministrator";
}
