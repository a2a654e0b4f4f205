namespace Portal.Core.Permissions;

/// <summary>
/// What a caller may ask to do in an organization. Each action has one row in
/// <see cref="PermissionRules"/>: the least role it needs (for the caller's own object and for
/// another member's), whether platform administrators may do it anywhere, and which scope a key must
/// hold to do it through the management API.
/// </summary>
public enum PortalAction
{
    /// <summary>See the organization, its members, resource catalog and permission sets.</summary>
    ViewOrganization,

    /// <summary>See the organization's APIs and their endpoint rules (keys: <c>apis:read</c> or <c>apis:manage</c>).</summary>
    ViewApis,

    /// <summary>Register, change and delete APIs and endpoint rules (keys: <c>apis:manage</c>).</summary>
    ManageApis,

    /// <summary>Change the resource catalog (resources and their custom actions).</summary>
    ManageResources,

    /// <summary>Build, change, import and delete permission sets.</summary>
    ManagePermissionSets,

    /// <summary>Read the organization's key policies (keys: <c>policies:manage</c>).</summary>
    ViewPolicies,

    /// <summary>Change the organization's key policies (keys: <c>policies:manage</c>).</summary>
    ManagePolicies,

    /// <summary>Create a key owned by the caller (keys: <c>keys:manage</c>).</summary>
    CreateKey,

    /// <summary>See a key, its token history, usage and authentication log lines (keys: <c>keys:manage</c>; another member's key: <c>keys:admin</c>).</summary>
    ViewKey,

    /// <summary>Change, rotate or revoke a key (keys: <c>keys:manage</c>; another member's key: <c>keys:admin</c>).</summary>
    ChangeKey,

    /// <summary>Read the authentication log (each line only when the caller may <see cref="ViewKey"/> its key).</summary>
    ViewAuthenticationLog,

    /// <summary>Read the audit trail of administrative actions.</summary>
    ViewAuditTrail,

    /// <summary>Invite members, change their roles, remove them.</summary>
    ManageMembers,

    /// <summary>Set the organization's webhook.</summary>
    ManageWebhook,

    /// <summary>See the organization's blocked addresses, who may read its authentication log (keys: <c>policies:manage</c>).</summary>
    ViewBlocks,

    /// <summary>Add and lift address blocks (keys: <c>policies:manage</c>).</summary>
    ManageBlocks,

    /// <summary>
    /// Change a key's rate limits or quota once it exists (admins: limits are the API provider's
    /// control, which a developer owner must not raise or remove; keys: <c>keys:admin</c>). Anyone who
    /// may create a key may give it limits at creation, as those only restrict it.
    /// </summary>
    SetKeyLimits,

    /// <summary>Lift a key's suspension (a leaked-key signal): admins only, never the key's developer owner (keys: <c>keys:admin</c>).</summary>
    LiftSuspension,

    /// <summary>Platform-wide views and settings (all organizations' usage, registration).</summary>
    AdministerPlatform,
}
