namespace Portal.Core.Usage;

public enum UsageScopeKind
{
    Key,
    Organization,
    Platform,
}

/// <summary>Whose usage a chart shows: one key, an organization, or the whole platform.</summary>
public sealed record UsageScope(UsageScopeKind Kind, Guid OrganizationId = default, Guid KeyId = default)
{
    public static UsageScope Platform { get; } = new(UsageScopeKind.Platform);

    public static UsageScope ForOrganization(Guid organizationId) => new(UsageScopeKind.Organization, organizationId);

    public static UsageScope ForKey(Guid organizationId, Guid keyId) => new(UsageScopeKind.Key, organizationId, keyId);
}

/// <summary>
/// A scope the caller was found allowed to see. <see cref="OwnerId"/> narrows an organization to
/// the caller's own keys.
/// </summary>
public sealed record UsageView(UsageScope Scope, Guid? OwnerId)
{
    /// <summary>Whether the view covers every key of its organization (or of the platform).</summary>
    public bool AllKeys => Scope.Kind != UsageScopeKind.Key && OwnerId is null;
}
