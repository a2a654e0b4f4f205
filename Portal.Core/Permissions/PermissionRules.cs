using Portal.Core.Access;
using Portal.Core.Organizations;
using Portal.Core.Validation;

namespace Portal.Core.Permissions;

/// <summary>
/// What a caller stands on in one organization: their current membership role (null when not a
/// member, or when a key of another organization asks) and whether they are a platform administrator
/// signed in to the portal (never through a key).
/// </summary>
public readonly record struct CallerStanding(OrganizationRole? Role, bool IsPlatformAdministrator);

/// <summary>
/// The "who may" table: for each <see cref="PortalAction"/>, the least role for the caller's own
/// object and for another member's, whether platform administrators may do it in any organization,
/// and the scopes a key must hold (open now) to do it. A key acts with at most the intersection of
/// its grants and its owner's current role. Pages ask <see cref="Allows"/> with the role they show;
/// services ask <see cref="PermissionEvaluator"/>, which reads the role and decides here.
/// </summary>
public static class PermissionRules
{
    private sealed record Row(
        OrganizationRole? OwnRole,
        OrganizationRole? OtherRole,
        bool PlatformAdministrators,
        string[] OwnScopes,
        string[] OtherScopes,
        string Refusal);

    private static readonly string[] NoScopes = [];
    private static readonly string[] KeysManage = [Scope.KeysManage, Scope.KeysAdmin];
    private static readonly string[] KeysAdmin = [Scope.KeysAdmin];

    // One row per action, in PortalAction order. A null role: no member may, whatever their role.
    private static readonly Row[] Table =
    [
        /* ViewOrganization */ new(OrganizationRole.Viewer, OrganizationRole.Viewer, true, NoScopes, NoScopes, "You are not a member of this organization."),
        /* ViewApis */ new(OrganizationRole.Viewer, OrganizationRole.Viewer, true, [Scope.ApisRead, Scope.ApisManage], [Scope.ApisRead, Scope.ApisManage], "You may not see this organization's APIs."),
        /* ManageApis */ new(OrganizationRole.Admin, OrganizationRole.Admin, true, [Scope.ApisManage], [Scope.ApisManage], "Only organization admins can register and change APIs and endpoint rules."),
        /* ManageResources */ new(OrganizationRole.Admin, OrganizationRole.Admin, true, NoScopes, NoScopes, "Only organization admins can change the resource catalog."),
        /* ManagePermissionSets */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, NoScopes, NoScopes, "Only organization admins can build permission sets."),
        /* ViewPolicies */ new(OrganizationRole.Viewer, OrganizationRole.Viewer, false, [Scope.PoliciesManage], [Scope.PoliciesManage], "You may not read this organization's policies."),
        /* ManagePolicies */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, [Scope.PoliciesManage], [Scope.PoliciesManage], "Only organization admins can change its policies."),
        /* CreateKey */ new(OrganizationRole.Developer, OrganizationRole.Developer, false, KeysManage, KeysManage, "Viewers cannot create keys."),
        /* ViewKey */ new(OrganizationRole.Viewer, OrganizationRole.Viewer, false, KeysManage, KeysAdmin, "You may not see this key."),
        /* ChangeKey */ new(OrganizationRole.Developer, OrganizationRole.Admin, false, KeysManage, KeysAdmin, "Viewers cannot change keys."),
        /* ViewAuthenticationLog */ new(OrganizationRole.Viewer, OrganizationRole.Viewer, false, NoScopes, NoScopes, "You may not read this organization's authentication log."),
        /* ViewAuditTrail */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, NoScopes, NoScopes, "Only organization admins can read the audit trail."),
        /* ManageMembers */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, NoScopes, NoScopes, "Only organization admins can manage members and invitations."),
        /* ManageWebhook */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, NoScopes, NoScopes, "Only admins of the organization can change its webhook."),
        /* ViewBlocks */ new(OrganizationRole.Viewer, OrganizationRole.Viewer, false, [Scope.PoliciesManage], [Scope.PoliciesManage], "You may not see this organization's blocked addresses."),
        /* ManageBlocks */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, [Scope.PoliciesManage], [Scope.PoliciesManage], "Only organization admins can block and unblock addresses."),
        /* SetKeyLimits */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, KeysAdmin, KeysAdmin, "Only organization admins can change a key's rate limits and quota."),
        /* LiftSuspension */ new(OrganizationRole.Admin, OrganizationRole.Admin, false, KeysAdmin, KeysAdmin, "Only organization admins can lift a key's suspension."),
        /* AdministerPlatform */ new(null, null, true, NoScopes, NoScopes, "Only platform administrators can do this."),
    ];

    /// <summary>
    /// Whether a member with <paramref name="role"/> may do <paramref name="action"/> (on their own
    /// object, or on another member's when <paramref name="othersObject"/>): the role part of the
    /// decision, for pages that show or hide a control. Developers see only their own keys; viewers
    /// read every key and log line of the organization but change nothing.
    /// </summary>
    public static bool Allows(OrganizationRole? role, PortalAction action, bool othersObject = false)
    {
        var row = Table[(int)action];
        var least = othersObject ? row.OtherRole : row.OwnRole;
        if (role is null || least is null || role < least)
        {
            return false;
        }

        // Developers manage their own keys only, and do not see other members' keys at all.
        return !(othersObject && role == OrganizationRole.Developer && action is PortalAction.ViewKey or PortalAction.ChangeKey);
    }

    /// <summary>
    /// Decides whether <paramref name="caller"/>, standing as <paramref name="standing"/> in the
    /// organization, may do <paramref name="action"/>. <paramref name="objectOwnerId"/> names the
    /// owner of the object (a key), when the action is about one. A caller who may not see the object
    /// is answered <see cref="PermissionOutcome.Hidden"/>; one who may see it but not do this,
    /// <see cref="PermissionOutcome.Denied"/> with the reason. A key caller must also hold one of the
    /// action's scopes in a grant open at <paramref name="now"/> (evaluated by the key's compiled access).
    /// </summary>
    public static Permission Decide(Caller caller, CallerStanding standing, PortalAction action, Guid? objectOwnerId, DateTimeOffset now)
    {
        var row = Table[(int)action];
        var others = objectOwnerId is { } owner && owner != caller.UserId;
        if (standing.Role is not { } role)
        {
            return standing.IsPlatformAdministrator && row.PlatformAdministrators ? Permission.Allow : Permission.Hide;
        }

        if (!Allows(role, action, others))
        {
            if (standing.IsPlatformAdministrator && row.PlatformAdministrators)
            {
                return Permission.Allow;
            }

            // What the caller could not even see is hidden; what they see but may not change is denied.
            var canSee = action is not (PortalAction.ChangeKey or PortalAction.ViewKey) || Allows(role, PortalAction.ViewKey, others);
            return canSee ? new Permission(PermissionOutcome.Denied, row.Refusal) : Permission.Hide;
        }

        return caller.Key is { } key ? DecideForKey(key, action, others, row, now) : Permission.Allow;
    }

    private static Permission DecideForKey(KeySnapshot key, PortalAction action, bool others, Row row, DateTimeOffset now)
    {
        var scopes = others ? row.OtherScopes : row.OwnScopes;
        if (scopes.Length == 0)
        {
            return new Permission(PermissionOutcome.Denied, "A key cannot do this: sign in to the portal.", ReasonCodes.InsufficientScope);
        }

        var code = ReasonCodes.InsufficientScope;
        foreach (var scope in scopes)
        {
            // The management API names no resource: a grant limited to resources does not open it.
            var decision = key.Access.Evaluate(scope, null, now, enforceResourceFilters: true);
            if (decision.IsAllowed)
            {
                return Permission.Allow;
            }

            if (!ReferenceEquals(decision.Code, ReasonCodes.InsufficientScope))
            {
                code = decision.Code;
            }
        }

        // A key that may not touch other members' keys does not see them either, whatever the reason
        // (a closed window must not confirm that an id exists).
        if (others && action is PortalAction.ViewKey or PortalAction.ChangeKey)
        {
            return Permission.Hide;
        }

        var needs = string.Join("' or '", scopes);
        var reason = ReferenceEquals(code, ReasonCodes.OutsideTimeWindow)
            ? $"The key's grant of '{needs}' is outside its time window now."
            : $"The key needs '{needs}' to do this.";
        return new Permission(PermissionOutcome.Denied, reason, code);
    }
}
