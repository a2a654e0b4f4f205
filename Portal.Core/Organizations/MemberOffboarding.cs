using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Notifications;
using Portal.Core.Permissions;

namespace Portal.Core.Organizations;

/// <summary>Whether a member change is only described (for the confirmation dialog) or carried out.</summary>
public enum MemberChangeMode
{
    /// <summary>Runs the change's checks and computes its plan; writes nothing.</summary>
    Preview,

    /// <summary>Runs the same checks, computes the same plan and carries it out in one transaction.</summary>
    Apply,
}

/// <summary>Why a member change revokes a key.</summary>
public enum KeyRevocationCause
{
    /// <summary>The owner left or was removed from the organization.</summary>
    MemberRemoved,

    /// <summary>The owner's new role may hold no keys (<see cref="RoleRules.MayHoldKeys"/>: viewers).</summary>
    RoleHoldsNoKeys,

    /// <summary>
    /// Everything the key gave exceeds what the new role may give. Such a key is revoked rather than
    /// left active granting nothing: an admin then sees it gone, not a key that silently fails.
    /// </summary>
    NothingLeft,
}

/// <summary>A key the change revokes (name and display hint only; never token material).</summary>
public sealed record PlannedKeyRevocation(Guid KeyId, string Name, string Hint, KeyRevocationCause Cause);

/// <summary>A permission set taken off a key.</summary>
public sealed record PermissionSetReference(Guid Id, string Name);

/// <summary>
/// A key that stays active but loses what its owner's new role may not give: direct scopes, grants
/// (whole grants, with their conditions) and permission sets, as <see cref="RoleRules.MayGive(OrganizationRole, string)"/> decides.
/// </summary>
public sealed record PlannedKeyReduction(
    Guid KeyId,
    string Name,
    string Hint,
    IReadOnlyList<string> RemovedScopes,
    IReadOnlyList<Grant> RemovedGrants,
    IReadOnlyList<PermissionSetReference> RemovedPermissionSets);

/// <summary>A pending invitation the member sent that is cancelled because they may no longer give its role.</summary>
public sealed record PlannedInvitationCancellation(Guid InvitationId, string Email, OrganizationRole Role);

/// <summary>
/// What removing a member or changing their role does to their keys in that organization and to
/// the invitations they sent: the preview the confirmation dialog shows, and exactly the list the
/// change then carries out. Lists are ordered by key name (ordinal) and invited email.
/// </summary>
/// <param name="RoleAfter">The new role; null when the member leaves or is removed.</param>
public sealed record MemberChangePlan(
    Guid OrganizationId,
    Guid UserId,
    string Email,
    OrganizationRole RoleBefore,
    OrganizationRole? RoleAfter,
    IReadOnlyList<PlannedKeyRevocation> RevokedKeys,
    IReadOnlyList<PlannedKeyReduction> ReducedKeys,
    IReadOnlyList<PlannedInvitationCancellation> CancelledInvitations)
{
    public bool IsRemoval => RoleAfter is null;

    /// <summary>True when no key and no invitation is touched (a promotion, or a member with nothing in the organization).</summary>
    public bool TouchesNothing => RevokedKeys.Count == 0 && ReducedKeys.Count == 0 && CancelledInvitations.Count == 0;
}

/// <summary>
/// Offboarding: what a member's removal or role change does to what they hold in the organization,
/// decided by one function (<see cref="Plan"/>) from the rules in <see cref="RoleRules"/>, previewed
/// and carried out from the same plan.
/// Removal (or leaving) revokes every key the member owns there; a role change strips from each key
/// what the new role may not give, and revokes the keys of a role that may hold none and keys left
/// with nothing; pending invitations whose inviter may no longer give their role are cancelled.
/// Each key and invitation gets its own audit record naming the member change as the reason; the
/// organization's admins and owners get a notification listing the keys. Everything is added to
/// the caller's unit of work (<see cref="OrganizationDirectory"/> saves it with the membership
/// change, in one transaction); after the commit <see cref="Publish"/> drops the keys from this
/// node's caches, so the next request with them is decided on the new state. Never reads or logs tokens.
/// </summary>
public sealed class MemberOffboarding(PortalDbContext db, AuditTrail audit, KeyChangeFeed changes, TimeProvider time)
{
    /// <summary>
    /// The one decision: what a member change does, from the member's keys in the organization that
    /// are not final (active or disabled) and the pending invitations they sent. Pure: reads and
    /// changes nothing.
    /// </summary>
    /// <param name="roleAfter">The new role, or null for a removal.</param>
    public static MemberChangePlan Plan(
        Guid organizationId,
        Guid userId,
        string email,
        OrganizationRole roleBefore,
        OrganizationRole? roleAfter,
        IEnumerable<ApiKey> keys,
        IEnumerable<Invitation> pendingInvitations)
    {
        var revoked = new List<PlannedKeyRevocation>();
        var reduced = new List<PlannedKeyReduction>();
        foreach (var key in keys.OrderBy(k => k.Name, StringComparer.Ordinal).ThenBy(k => k.Id))
        {
            if (roleAfter is not { } role)
            {
                revoked.Add(new PlannedKeyRevocation(key.Id, key.Name, key.Hint, KeyRevocationCause.MemberRemoved));
                continue;
            }

            if (!RoleRules.MayHoldKeys(role))
            {
                revoked.Add(new PlannedKeyRevocation(key.Id, key.Name, key.Hint, KeyRevocationCause.RoleHoldsNoKeys));
                continue;
            }

            var scopes = key.Scopes.Where(s => !RoleRules.MayGive(role, s)).ToList();
            var grants = key.Grants.Where(g => !RoleRules.MayGive(role, g.Scope)).ToList();
            var sets = key.PermissionSets.Where(p => !RoleRules.MayGive(role, p))
                .OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new PermissionSetReference(p.Id, p.Name)).ToList();
            if (scopes.Count == 0 && grants.Count == 0 && sets.Count == 0)
            {
                continue;
            }

            var leavesNothing = scopes.Count == key.Scopes.Count && grants.Count == key.Grants.Count && sets.Count == key.PermissionSets.Count;
            if (leavesNothing)
            {
                revoked.Add(new PlannedKeyRevocation(key.Id, key.Name, key.Hint, KeyRevocationCause.NothingLeft));
            }
            else
            {
                reduced.Add(new PlannedKeyReduction(key.Id, key.Name, key.Hint, scopes, grants, sets));
            }
        }

        var cancelled = pendingInvitations
            .Where(i => roleAfter is not { } role || !RoleRules.MayInvite(role, i.Role))
            .OrderBy(i => i.Email, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.Id)
            .Select(i => new PlannedInvitationCancellation(i.Id, i.Email, i.Role))
            .ToList();
        return new MemberChangePlan(organizationId, userId, email, roleBefore, roleAfter, revoked, reduced, cancelled);
    }

    /// <summary>
    /// Reads what the change touches and plans it. For <see cref="MemberChangeMode.Apply"/> the rows
    /// are tracked, to be changed by <see cref="ApplyAsync"/>; for a preview nothing is tracked.
    /// </summary>
    /// <param name="member">The membership as it is before the change (with its user loaded).</param>
    internal async Task<MemberChangeWork> PrepareAsync(Membership member, OrganizationRole? roleAfter, MemberChangeMode mode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = db.ApiKeys.Include(k => k.PermissionSets).Include(k => k.Secrets).AsSplitQuery()
            .Where(k => k.OrganizationId == member.OrganizationId && k.OwnerId == member.UserId
                && (k.Status == KeyStatus.Active || k.Status == KeyStatus.Disabled || k.Status == KeyStatus.Suspended));
        var invitations = db.Set<Invitation>()
            .Where(i => i.OrganizationId == member.OrganizationId && i.InvitedById == member.UserId
                && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now);
        if (mode == MemberChangeMode.Preview)
        {
            keys = keys.AsNoTracking();
            invitations = invitations.AsNoTracking();
        }

        var loadedKeys = await keys.ToListAsync(cancellationToken);
        var loadedInvitations = await invitations.ToListAsync(cancellationToken);
        var plan = Plan(member.OrganizationId, member.UserId, member.User!.Email!, member.Role, roleAfter, loadedKeys, loadedInvitations);
        return new MemberChangeWork(plan, loadedKeys, loadedInvitations);
    }

    /// <summary>
    /// Carries out a plan made by <see cref="PrepareAsync"/> in <see cref="MemberChangeMode.Apply"/>:
    /// changes the tracked keys and invitations, adds an audit record for each and the admins'
    /// notification. Saves nothing: the caller saves it with the membership change.
    /// </summary>
    internal async Task ApplyAsync(Caller caller, MemberChangeWork work, CancellationToken cancellationToken)
    {
        var plan = work.Plan;
        if (plan.TouchesNothing)
        {
            return;
        }

        var now = time.GetUtcNow();
        var reason = plan.IsRemoval ? AuditActions.MemberRemoved : AuditActions.MemberRoleChanged;
        var keys = work.Keys.ToDictionary(k => k.Id);
        foreach (var revocation in plan.RevokedKeys)
        {
            var key = keys[revocation.KeyId];
            key.Status = KeyStatus.Revoked;
            key.RevokedAt = now;
            key.UpdatedAt = now;
            key.ConcurrencyStamp = Guid.NewGuid();
            audit.Record(caller, AuditActions.KeyRevoked, key.OrganizationId, "key", key.Id.ToString(), key.Name,
                new { reason, cause = revocation.Cause.ToString(), member = plan.Email, memberId = plan.UserId, roleBefore = plan.RoleBefore.ToString(), roleAfter = plan.RoleAfter?.ToString() });
        }

        foreach (var reduction in plan.ReducedKeys)
        {
            var key = keys[reduction.KeyId];
            var before = AccessOf(key);
            var removedGrants = reduction.RemovedGrants.Select(g => g.Canonical()).ToHashSet(StringComparer.Ordinal);
            var removedSets = reduction.RemovedPermissionSets.Select(p => p.Id).ToHashSet();
            // New lists, so the change tracker sees the columns change whatever the provider.
            key.Scopes = [.. key.Scopes.Where(s => !reduction.RemovedScopes.Contains(s, StringComparer.Ordinal))];
            key.Grants = [.. key.Grants.Where(g => !removedGrants.Contains(g.Canonical()))];
            key.PermissionSets.RemoveAll(p => removedSets.Contains(p.Id));
            key.UpdatedAt = now;
            key.ConcurrencyStamp = Guid.NewGuid();
            audit.Record(caller, AuditActions.KeyAccessReduced, key.OrganizationId, "key", key.Id.ToString(), key.Name,
                new { reason, member = plan.Email, memberId = plan.UserId, roleBefore = plan.RoleBefore.ToString(), roleAfter = plan.RoleAfter?.ToString(), before, after = AccessOf(key) });
        }

        var invitations = work.Invitations.ToDictionary(i => i.Id);
        foreach (var cancellation in plan.CancelledInvitations)
        {
            var invitation = invitations[cancellation.InvitationId];
            invitation.RevokedAt = now;
            audit.Record(caller, OrganizationDirectory.InvitationRevokedAction, invitation.OrganizationId, "invitation", invitation.Id.ToString(), invitation.Email,
                new { reason, invitedBy = plan.Email, role = invitation.Role.ToString() });
        }

        await NotifyAdminsAsync(caller, plan, now, cancellationToken);
    }

    /// <summary>
    /// Brings one holder's keys in the organization in line with their current standing there, as if
    /// the change that left them so had just happened: keys of someone who is no longer a member are
    /// revoked (and their pending invitations cancelled), a role that may hold no keys loses them.
    /// Saves and drops the keys from this node's caches; returns how many keys and invitations changed.
    /// This is the backstop for keys made in the instant a member was removed, and for data from
    /// before these rules.
    /// </summary>
    public async Task<int> ReconcileHolderAsync(Caller job, Guid organizationId, Guid userId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var membership = await db.Memberships.AsNoTracking().Include(m => m.User)
            .FirstOrDefaultAsync(m => m.OrganizationId == organizationId && m.UserId == userId, cancellationToken);
        var holder = membership ?? new Membership
        {
            OrganizationId = organizationId,
            UserId = userId,
            Role = OrganizationRole.Viewer,
            User = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken),
        };
        var work = await PrepareAsync(holder, membership?.Role, MemberChangeMode.Apply, cancellationToken);
        if (work.Plan.TouchesNothing)
        {
            return 0;
        }

        await ApplyAsync(job, work, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        Publish(work);
        return work.Plan.RevokedKeys.Count + work.Plan.ReducedKeys.Count + work.Plan.CancelledInvitations.Count;
    }

    /// <summary>After the commit: this node's caches drop every changed key, so its next request is decided on the new state.</summary>
    internal void Publish(MemberChangeWork work)
    {
        var changed = work.Plan.RevokedKeys.Select(r => r.KeyId).Concat(work.Plan.ReducedKeys.Select(r => r.KeyId)).ToHashSet();
        foreach (var key in work.Keys.Where(k => changed.Contains(k.Id)))
        {
            changes.Publish(KeyChange.Of(key));
        }
    }

    /// <summary>
    /// One notification to each admin and owner of the organization as it is after the change (the
    /// removed or demoted member is not one of them any more), naming the keys touched.
    /// </summary>
    private async Task NotifyAdminsAsync(Caller caller, MemberChangePlan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var admins = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == plan.OrganizationId && m.UserId != plan.UserId && m.Role >= OrganizationRole.Admin)
            .Select(m => m.UserId)
            .ToListAsync(cancellationToken);
        if (plan.RoleAfter >= OrganizationRole.Admin)
        {
            admins.Add(plan.UserId);
        }

        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == plan.OrganizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        var message = NotificationMessage(plan, organization, caller);
        foreach (var admin in admins)
        {
            db.Notifications.Add(new Notification
            {
                UserId = admin,
                OrganizationId = plan.OrganizationId,
                Kind = NotificationKinds.MemberKeysChanged,
                DueAt = now,
                Message = message,
                CreatedAt = now,
            });
        }
    }

    /// <summary>
    /// The admins' notification text, at most <see cref="Notification.MessageMaxLength"/> characters:
    /// keys are named while they fit, the rest counted (the audit trail has a record for each).
    /// </summary>
    internal static string NotificationMessage(MemberChangePlan plan, string organization, Caller actor)
    {
        var text = new StringBuilder();
        text.Append(plan.IsRemoval
            ? actor.UserId == plan.UserId ? $"{plan.Email} left {organization}." : $"{actor.Name} removed {plan.Email} from {organization}."
            : $"{actor.Name} changed the role of {plan.Email} in {organization} to {plan.RoleAfter!.Value.ToString().ToLowerInvariant()}.");
        var invitations = plan.CancelledInvitations.Count == 0 ? "" : $" Invitations they sent, cancelled: {plan.CancelledInvitations.Count}.";
        var reduced = plan.ReducedKeys.Count == 0 ? "" : $" Keys that lost what the new role may not give: {plan.ReducedKeys.Count}.";
        var budget = Notification.MessageMaxLength - invitations.Length - reduced.Length;
        AppendRevokedKeys(text, plan.RevokedKeys, budget);
        text.Append(reduced).Append(invitations);
        var message = text.ToString();
        return message.Length <= Notification.MessageMaxLength ? message : message[..(Notification.MessageMaxLength - 1)] + "…";
    }

    private static void AppendRevokedKeys(StringBuilder text, IReadOnlyList<PlannedKeyRevocation> keys, int budget)
    {
        if (keys.Count == 0)
        {
            return;
        }

        text.Append(keys.Count == 1 ? " Key revoked: " : $" Keys revoked ({keys.Count}): ");
        for (var i = 0; i < keys.Count; i++)
        {
            var name = $"{(i == 0 ? "" : ", ")}“{keys[i].Name}” ({keys[i].Hint})";
            // Room for the name and for the count of those that would not fit after it.
            if (text.Length + name.Length + 40 > budget)
            {
                text.Append($" and {keys.Count - i} more (see the audit log).");
                return;
            }

            text.Append(name);
        }

        text.Append('.');
    }

    private static object AccessOf(ApiKey key) => new
    {
        scopes = key.Scopes.ToList(),
        grants = key.Grants.ToList(),
        permissionSets = key.PermissionSets.Select(p => new { p.Id, p.Name, p.Version }).ToList(),
    };
}

/// <summary>A plan with the rows it was made from (tracked when it is to be carried out).</summary>
internal sealed record MemberChangeWork(MemberChangePlan Plan, IReadOnlyList<ApiKey> Keys, IReadOnlyList<Invitation> Invitations);
