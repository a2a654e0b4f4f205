using Portal.Core.Access;
using Portal.Core.Organizations;

namespace Portal.Core.Permissions;

/// <summary>
/// What each organization role may hold and give: the rules the "who may" room, key checks and
/// offboarding all read, so a role means the same thing everywhere.
/// </summary>
public static class RoleRules
{
    /// <summary>Whether a member with <paramref name="role"/> may own keys (developers and above; viewers read only).</summary>
    public static bool MayHoldKeys(OrganizationRole role) => role >= OrganizationRole.Developer;

    /// <summary>
    /// Whether a member with <paramref name="role"/> may give (or keep on a key they own) the scope
    /// <paramref name="scope"/>: admin actions and wildcards (<see cref="Scope.IsAdministrative"/>) only from admins and owners.
    /// </summary>
    public static bool MayGive(OrganizationRole role, string scope) =>
        MayHoldKeys(role) && (MayGiveAdministrative(role) || !Scope.IsAdministrative(scope));

    /// <summary>Whether a member with <paramref name="role"/> may give admin actions and wildcards (admins and owners).</summary>
    public static bool MayGiveAdministrative(OrganizationRole role) => role >= OrganizationRole.Admin;

    /// <summary>Whether a member with <paramref name="role"/> may give (or keep) every grant of <paramref name="set"/>.</summary>
    public static bool MayGive(OrganizationRole role, PermissionSet set) =>
        set.Grants.TrueForAll(g => MayGive(role, g.Scope));

    /// <summary>Whether a member with <paramref name="inviter"/> may invite someone as <paramref name="invited"/> (admins up to Admin, owners also Owner).</summary>
    public static bool MayInvite(OrganizationRole inviter, OrganizationRole invited) =>
        inviter >= OrganizationRole.Admin && (invited != OrganizationRole.Owner || inviter == OrganizationRole.Owner);
}
