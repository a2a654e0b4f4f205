using Portal.Core.Protections;

namespace Portal.Core.Organizations;

/// <summary>
/// The rules an organization's admins set for its keys. Every limit is optional: a null value
/// means "no rule". Enforced by <see cref="Keys.KeyCatalog"/> at creation, update and rotation,
/// and by the policy jobs afterwards.
/// </summary>
public sealed class OrganizationPolicy
{
    public const int MaxDays = 3650;

    public Guid OrganizationId { get; set; }

    /// <summary>New keys must expire within this many days of their creation.</summary>
    public int? MaxKeyLifetimeDays { get; set; }

    /// <summary>A key's token must be rotated at least this often; overdue keys are expired.</summary>
    public int? RotationIntervalDays { get; set; }

    /// <summary>The grace a rotation gives the old token when the caller names none.</summary>
    public int? DefaultGraceHours { get; set; }

    /// <summary>The longest grace a rotation may give the old token.</summary>
    public int? MaxGraceHours { get; set; }

    public LiveKeyCreators LiveKeyCreators { get; set; }

    /// <summary>Active keys not used for this many days (since creation when never used) are disabled.</summary>
    public int? DisableUnusedAfterDays { get; set; }

    /// <summary>Live keys must carry an IP allowlist: creating or saving a live key without one is refused.</summary>
    public bool RequireIpAllowlistOnLiveKeys { get; set; }

    /// <summary>Networks (CIDR) refused at every door of the organization, whatever the key (<c>IP_NOT_ALLOWED</c>).</summary>
    public List<string> DeniedNetworks { get; set; } = [];

    /// <summary>Countries (ISO 3166-1 alpha-2) refused at every door of the organization (<c>GEO_BLOCKED</c>); a key used from one raises a leaked-key alert.</summary>
    public List<string> DeniedCountries { get; set; } = [];

    /// <summary>Threat thresholds; null for the defaults (<see cref="ThreatPolicy.Default"/>).</summary>
    public ThreatPolicy? Threats { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    public Organization? Organization { get; set; }

    /// <summary>The rules of an organization that never set any.</summary>
    public static OrganizationPolicy None(Guid organizationId) => new() { OrganizationId = organizationId };
}

/// <summary>Who may create keys in the live environment.</summary>
public enum LiveKeyCreators
{
    /// <summary>Developers, admins and owners.</summary>
    AnyDeveloper = 0,

    /// <summary>Admins and owners only.</summary>
    AdminsOnly = 1,
}
