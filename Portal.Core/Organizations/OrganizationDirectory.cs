using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Mail;
using Portal.Core.Names;
using Portal.Core.Permissions;

namespace Portal.Core.Organizations;

/// <summary>An organization as one member sees it.</summary>
public sealed record OrganizationSummary(Guid Id, string Name, bool IsPersonal, OrganizationRole Role);

/// <summary>A member of an organization, for the members page.</summary>
public sealed record MemberSummary(Guid UserId, string Email, OrganizationRole Role, DateTimeOffset Since);

/// <summary>An invitation as its organization's admins see it (never with its token).</summary>
public sealed record InvitationSummary(Guid Id, string Email, OrganizationRole Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>A new invitation and the token of its link, returned once.</summary>
public sealed record IssuedInvitation(Invitation Invitation, string Token);

/// <summary>What the acceptance page shows about an invitation before the person accepts.</summary>
public sealed record InvitationPreview(Guid OrganizationId, string OrganizationName, string Email, OrganizationRole Role, bool IsPending);

/// <summary>
/// Organizations, their members and invitations. Every call checks the caller's membership and
/// role; an organization the caller is not a member of is reported as absent (null or empty).
/// The last owner of an organization can never be removed or demoted.
/// </summary>
public sealed class OrganizationDirectory(PortalDbContext db, PermissionEvaluator permissions, AuditTrail audit, Quotas quotas, TimeProvider time, MemberOffboarding offboarding, IOptions<MailOptions> mail)
{
    public const int NameMaxLength = 100;
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public const string InvitationCreatedAction = "member.invited";
    public const string InvitationRevokedAction = "member.invitation_revoked";

    /// <summary>Why an account whose address is not confirmed cannot accept an invitation (mail configured).</summary>
    public const string UnconfirmedEmailMessage = "Confirm your email address before accepting: open the link in the confirmation mail, or ask for a new one from the sign-in page.";

    /// <summary>The organizations the caller belongs to, personal first, then by name.</summary>
    public async Task<IReadOnlyList<OrganizationSummary>> ListAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        var rows = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == caller.UserId)
            .Select(m => new OrganizationSummary(m.OrganizationId, m.Organization!.Name, m.Organization.IsPersonal, m.Role))
            .ToListAsync(cancellationToken);
        return [.. rows.Where(o => caller.OrganizationId is null || o.Id == caller.OrganizationId)
            .OrderByDescending(o => o.IsPersonal).ThenBy(o => o.Name, StringComparer.CurrentCultureIgnoreCase)];
    }

    /// <summary>The organization with the caller's role, or null when the caller is not a member.</summary>
    public async Task<OrganizationSummary?> FindAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if ((await permissions.StandingAsync(caller, organizationId, cancellationToken)).Role is not { } role)
        {
            return null;
        }

        var organization = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationId, cancellationToken);
        return new OrganizationSummary(organization.Id, organization.Name, organization.IsPersonal, role);
    }

    /// <summary>Creates an enterprise organization with the caller as its owner.</summary>
    public async Task<OrganizationSummary> CreateAsync(Caller caller, string? name, CancellationToken cancellationToken = default)
    {
        var trimmed = DisplayName.Require(name, NameMaxLength);
        await quotas.EnsureOrganizationAllowedAsync(caller.UserId, cancellationToken);
        var now = time.GetUtcNow();
        var organization = new Organization { Name = trimmed, IsPersonal = false, CreatedAt = now };
        db.Organizations.Add(organization);
        db.Memberships.Add(new Membership { OrganizationId = organization.Id, UserId = caller.UserId, Role = OrganizationRole.Owner, CreatedAt = now });
        audit.Record(caller, AuditActions.OrganizationCreated, organization.Id, "organization", organization.Id.ToString(), trimmed);
        await db.SaveChangesAsync(cancellationToken);
        return new OrganizationSummary(organization.Id, organization.Name, false, OrganizationRole.Owner);
    }

    /// <summary>The members, for any member to read; empty when the caller is not a member.</summary>
    public async Task<IReadOnlyList<MemberSummary>> MembersAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if ((await permissions.StandingAsync(caller, organizationId, cancellationToken)).Role is null)
        {
            return [];
        }

        var members = await db.Memberships.AsNoTracking()
            .Where(m => m.OrganizationId == organizationId)
            .Select(m => new MemberSummary(m.UserId, m.User!.Email!, m.Role, m.CreatedAt))
            .ToListAsync(cancellationToken);
        return [.. members.OrderByDescending(m => m.Role).ThenBy(m => m.Email, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Pending invitations, for admins; empty for everyone else.</summary>
    public async Task<IReadOnlyList<InvitationSummary>> PendingInvitationsAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (!await permissions.MayAsync(caller, PortalAction.ManageMembers, organizationId, cancellationToken: cancellationToken))
        {
            return [];
        }

        var now = time.GetUtcNow();
        var rows = await db.Set<Invitation>().AsNoTracking()
            .Where(i => i.OrganizationId == organizationId && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new InvitationSummary(i.Id, i.Email, i.Role, i.CreatedAt, i.ExpiresAt))
            .ToListAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// Invites an email address with a role. Admins invite up to Admin, owners also Owner. Returns
    /// null when the caller is not a member; the token is in the result only.
    /// </summary>
    public Task<IssuedInvitation?> InviteAsync(Caller caller, Guid organizationId, string? email, OrganizationRole role, CancellationToken cancellationToken = default) =>
        InviteAsync(caller, organizationId, email, role, deliver: null, cancellationToken);

    /// <summary>
    /// Invites an email address with a role, as the overload without <paramref name="deliver"/> does,
    /// and hands the new invitation to <paramref name="deliver"/> (which mails its link) after every
    /// check and before anything is saved: when delivery throws (<see cref="MailDeliveryException"/>),
    /// the exception propagates and no invitation exists, so no link is live that nobody received.
    /// </summary>
    public async Task<IssuedInvitation?> InviteAsync(Caller caller, Guid organizationId, string? email, OrganizationRole role,
        Func<IssuedInvitation, CancellationToken, Task>? deliver, CancellationToken cancellationToken = default)
    {
        var (organization, callerRole) = await ForAdminAsync(caller, organizationId, cancellationToken);
        if (organization is null)
        {
            return null;
        }

        var address = EmailAddresses.Require(email);
        CheckRoleGrantable(role, callerRole);
        var normalized = EmailAddresses.LookupKey(address);
        if (await db.Memberships.AnyAsync(m => m.OrganizationId == organizationId && m.User!.NormalizedEmail == normalized, cancellationToken))
        {
            throw new ConflictException("email", $"{address} is already a member.");
        }

        var now = time.GetUtcNow();
        await quotas.EnsureInvitationAllowedAsync(organizationId, now, cancellationToken);
        var token = OneTimeTokens.Generate();
        var invitation = new Invitation
        {
            OrganizationId = organizationId,
            Email = address,
            NormalizedEmail = normalized,
            Role = role,
            TokenHash = OneTimeTokens.Hash(token),
            InvitedById = caller.UserId,
            CreatedAt = now,
            ExpiresAt = now + InvitationLifetime,
        };
        var issued = new IssuedInvitation(invitation, token);
        if (deliver is not null)
        {
            // Before the invitation enters the context: a failed delivery leaves nothing to save.
            await deliver(issued, cancellationToken);
        }

        db.Set<Invitation>().Add(invitation);
        audit.Record(caller, InvitationCreatedAction, organizationId, "invitation", invitation.Id.ToString(), address, new { role, invitation.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        return issued;
    }

    /// <summary>Withdraws a pending invitation; false when there is none the caller may withdraw.</summary>
    public async Task<bool> RevokeInvitationAsync(Caller caller, Guid organizationId, Guid invitationId, CancellationToken cancellationToken = default)
    {
        var (organization, _) = await ForAdminAsync(caller, organizationId, cancellationToken);
        if (organization is null)
        {
            return false;
        }

        var invitation = await db.Set<Invitation>().FirstOrDefaultAsync(i => i.Id == invitationId && i.OrganizationId == organizationId, cancellationToken);
        if (invitation is null || !invitation.IsPending(time.GetUtcNow()))
        {
            return false;
        }

        invitation.RevokedAt = time.GetUtcNow();
        audit.Record(caller, InvitationRevokedAction, organizationId, "invitation", invitation.Id.ToString(), invitation.Email);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>What an invitation link offers, or null when the token is unknown.</summary>
    public async Task<InvitationPreview?> PreviewInvitationAsync(string? token, CancellationToken cancellationToken = default)
    {
        var invitation = await FindInvitationAsync(token, tracked: false, cancellationToken);
        return invitation is null
            ? null
            : new InvitationPreview(invitation.OrganizationId, invitation.Organization!.Name, invitation.Email, invitation.Role, invitation.IsPending(time.GetUtcNow()));
    }

    /// <summary>
    /// Accepts an invitation as the signed-in caller, whose email must be the invited one and, with
    /// mail configured, confirmed (else whoever registered the address first could take the role).
    /// Adds the membership; returns the organization. Throws when the invitation is not usable by this caller.
    /// </summary>
    public async Task<OrganizationSummary> AcceptAsync(Caller caller, string? token, CancellationToken cancellationToken = default)
    {
        var invitation = await FindInvitationAsync(token, tracked: true, cancellationToken);
        var now = time.GetUtcNow();
        if (invitation is null || !invitation.IsPending(now))
        {
            throw new ConflictException("invitation", "This invitation is no longer valid. Ask an admin of the organization for a new one.");
        }

        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == caller.UserId, cancellationToken);
        if (!string.Equals(user.NormalizedEmail, invitation.NormalizedEmail, StringComparison.Ordinal))
        {
            throw new AccessDeniedException($"This invitation is for {invitation.Email}. Sign in with that address to accept it.");
        }

        if (mail.Value.IsEnabled && !user.EmailConfirmed)
        {
            throw new AccessDeniedException(UnconfirmedEmailMessage);
        }

        var existing = await db.Memberships.FirstOrDefaultAsync(m => m.OrganizationId == invitation.OrganizationId && m.UserId == caller.UserId, cancellationToken);
        if (existing is null)
        {
            db.Memberships.Add(new Membership { OrganizationId = invitation.OrganizationId, UserId = caller.UserId, Role = invitation.Role, CreatedAt = now });
            audit.Record(caller, AuditActions.MemberAdded, invitation.OrganizationId, "user", caller.UserId.ToString(), user.Email,
                new { role = invitation.Role, invitationId = invitation.Id });
        }

        invitation.AcceptedAt = now;
        invitation.AcceptedById = caller.UserId;
        await db.SaveChangesAsync(cancellationToken);
        return new OrganizationSummary(invitation.OrganizationId, invitation.Organization!.Name, false, existing?.Role ?? invitation.Role);
    }

    /// <summary>Changes a member's role; see the <see cref="MemberChangeMode"/> overload. False when the caller or the member is not in the organization.</summary>
    public async Task<bool> ChangeRoleAsync(Caller caller, Guid organizationId, Guid userId, OrganizationRole role, CancellationToken cancellationToken = default) =>
        await ChangeRoleAsync(caller, organizationId, userId, role, MemberChangeMode.Apply, cancellationToken) is not null;

    /// <summary>
    /// Changes a member's role (<see cref="MemberChangeMode.Apply"/>), or says what the change would do
    /// without doing it (<see cref="MemberChangeMode.Preview"/>): the same checks and the same plan
    /// (<see cref="MemberOffboarding"/>), so the preview is what the change does on the same data.
    /// The member's keys in the organization lose what the new role may not give (a viewer's are
    /// revoked), and invitations they sent that the new role may not send are cancelled, in the
    /// transaction of the role change. Only owners grant or take away Owner; the last owner stays.
    /// Returns the plan (carried out, for Apply), or null when the caller or the member is not in the organization.
    /// </summary>
    public async Task<MemberChangePlan?> ChangeRoleAsync(Caller caller, Guid organizationId, Guid userId, OrganizationRole role, MemberChangeMode mode, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(role))
        {
            throw new InvalidRequestException("role", "Unknown role.");
        }

        var work = mode == MemberChangeMode.Apply
            ? await InSerializableTransactionAsync(ChangeAsync, cancellationToken)
            : await ChangeAsync();
        if (work is not null && mode == MemberChangeMode.Apply)
        {
            offboarding.Publish(work);
        }

        return work?.Plan;

        async Task<MemberChangeWork?> ChangeAsync()
        {
            var (organization, callerRole) = await ForAdminAsync(caller, organizationId, cancellationToken);
            var member = organization is null ? null : await MembershipForAsync(organizationId, userId, mode, cancellationToken);
            if (member is null)
            {
                return null;
            }

            if (member.Role == role)
            {
                return new MemberChangeWork(MemberOffboarding.Plan(organizationId, userId, member.User!.Email!, role, role, [], []), [], []);
            }

            CheckRoleGrantable(role, callerRole);
            CheckRoleGrantable(member.Role, callerRole);
            if (member.Role == OrganizationRole.Owner)
            {
                await EnsureAnotherOwnerAsync(organizationId, userId, cancellationToken);
            }

            var work = await offboarding.PrepareAsync(member, role, mode, cancellationToken);
            if (mode == MemberChangeMode.Preview)
            {
                return work;
            }

            var before = member.Role;
            member.Role = role;
            EndSessionsOf(member, caller);
            audit.Record(caller, AuditActions.MemberRoleChanged, organizationId, "user", userId.ToString(), member.User!.Email,
                new { before, after = role, keysRevoked = work.Plan.RevokedKeys.Count, keysReduced = work.Plan.ReducedKeys.Count, invitationsCancelled = work.Plan.CancelledInvitations.Count });
            await offboarding.ApplyAsync(caller, work, cancellationToken);
            await SaveMemberChangeAsync(cancellationToken);
            return work;
        }
    }

    /// <summary>Removes a member; see the <see cref="MemberChangeMode"/> overload. False when the caller or the member is not in the organization.</summary>
    public async Task<bool> RemoveMemberAsync(Caller caller, Guid organizationId, Guid userId, CancellationToken cancellationToken = default) =>
        await RemoveMemberAsync(caller, organizationId, userId, MemberChangeMode.Apply, cancellationToken) is not null;

    /// <summary>
    /// Removes a member (<see cref="MemberChangeMode.Apply"/>), or says what the removal would do
    /// without doing it (<see cref="MemberChangeMode.Preview"/>), with the same checks and plan.
    /// Every key the member owns in the organization is revoked and the invitations they sent are
    /// cancelled, in the transaction of the removal. Admins remove developers, viewers and admins;
    /// owners remove anyone; anyone may leave, by the same path. The last owner is never removed,
    /// and nobody leaves a personal organization. Returns the plan (carried out, for Apply), or
    /// null when the caller or the member is not in the organization.
    /// </summary>
    public async Task<MemberChangePlan?> RemoveMemberAsync(Caller caller, Guid organizationId, Guid userId, MemberChangeMode mode, CancellationToken cancellationToken = default)
    {
        var work = mode == MemberChangeMode.Apply
            ? await InSerializableTransactionAsync(RemoveAsync, cancellationToken)
            : await RemoveAsync();
        if (work is not null && mode == MemberChangeMode.Apply)
        {
            offboarding.Publish(work);
        }

        return work?.Plan;

        async Task<MemberChangeWork?> RemoveAsync()
        {
            var callerRole = (await permissions.StandingAsync(caller, organizationId, cancellationToken)).Role;
            if (callerRole is null)
            {
                return null;
            }

            var organization = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationId, cancellationToken);
            var member = await MembershipForAsync(organizationId, userId, mode, cancellationToken);
            if (member is null)
            {
                return null;
            }

            if (organization.IsPersonal)
            {
                throw new ConflictException("member", "Nobody can be removed from a personal organization.");
            }

            var leaving = userId == caller.UserId;
            if (!leaving)
            {
                if (!PermissionRules.Allows(callerRole, PortalAction.ManageMembers))
                {
                    throw new AccessDeniedException("Only admins can remove members.");
                }

                CheckRoleGrantable(member.Role, callerRole.Value);
            }

            if (member.Role == OrganizationRole.Owner)
            {
                await EnsureAnotherOwnerAsync(organizationId, userId, cancellationToken);
            }

            var work = await offboarding.PrepareAsync(member, roleAfter: null, mode, cancellationToken);
            if (mode == MemberChangeMode.Preview)
            {
                return work;
            }

            db.Memberships.Remove(member);
            EndSessionsOf(member, caller);
            audit.Record(caller, AuditActions.MemberRemoved, organizationId, "user", userId.ToString(), member.User!.Email,
                new { role = member.Role, keysRevoked = work.Plan.RevokedKeys.Count, invitationsCancelled = work.Plan.CancelledInvitations.Count });
            await offboarding.ApplyAsync(caller, work, cancellationToken);
            await SaveMemberChangeAsync(cancellationToken);
            return work;
        }
    }

    /// <summary>
    /// A role change or removal ends the member's portal sessions everywhere: a new security stamp,
    /// saved with the change, fails every cookie and circuit issued under the old one (within
    /// <c>Sessions:CheckCacheSeconds</c> for requests and <c>Sessions:RevalidationSeconds</c> for open
    /// pages). The member signs in again and sees the organization as it now is. A member changing
    /// their own standing (leaving) keeps their sessions: nothing was taken from them by someone else.
    /// A new concurrency stamp too, so an Identity write racing this one fails instead of putting
    /// the old stamp back.
    /// </summary>
    private static void EndSessionsOf(Membership member, Caller caller)
    {
        if (member.UserId == caller.UserId || member.User is not { } user)
        {
            return;
        }

        user.SecurityStamp = Guid.NewGuid().ToString();
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
    }

    /// <summary>
    /// The membership to change, read as the database has it now. The portal's context lives as
    /// long as a circuit, and rows it tracks from an earlier call may be stale: a decision about
    /// who keeps which key must not rest on them, so a change starts from an empty tracker; a
    /// preview tracks nothing.
    /// </summary>
    private async Task<Membership?> MembershipForAsync(Guid organizationId, Guid userId, MemberChangeMode mode, CancellationToken cancellationToken)
    {
        var memberships = db.Memberships.Include(m => m.User).Where(m => m.OrganizationId == organizationId && m.UserId == userId);
        if (mode == MemberChangeMode.Preview)
        {
            return await memberships.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        }

        db.ChangeTracker.Clear();
        return await memberships.FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Saves a member change with everything it does to keys and invitations. When the save fails
    /// (a key changed meanwhile), nothing is written and nothing stays tracked to be saved later.
    /// </summary>
    private async Task SaveMemberChangeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw new ConflictException("member", "A key of this member was changed at the same moment; nothing was changed. Look at the change again and confirm it.");
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw;
        }
    }

    private async Task<(Organization? Organization, OrganizationRole Role)> ForAdminAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken)
    {
        if (!await permissions.CheckAsync(caller, PortalAction.ManageMembers, organizationId, cancellationToken: cancellationToken))
        {
            return (null, default);
        }

        var role = (await permissions.StandingAsync(caller, organizationId, cancellationToken)).Role;

        var organization = await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationId, cancellationToken);
        if (organization.IsPersonal)
        {
            throw new ConflictException("organization", "A personal organization has no other members. Create an organization to invite people.");
        }

        return (organization, role ?? OrganizationRole.Viewer);
    }

    private static void CheckRoleGrantable(OrganizationRole role, OrganizationRole callerRole)
    {
        if (!RoleRules.MayInvite(callerRole, role))
        {
            throw new AccessDeniedException("Only an owner can name or change owners.");
        }
    }

    private async Task EnsureAnotherOwnerAsync(Guid organizationId, Guid userId, CancellationToken cancellationToken)
    {
        if (!await db.Memberships.AnyAsync(m => m.OrganizationId == organizationId && m.Role == OrganizationRole.Owner && m.UserId != userId, cancellationToken))
        {
            throw new ConflictException("role", "An organization needs at least one owner. Make someone else an owner first.");
        }
    }

    private async Task<Invitation?> FindInvitationAsync(string? token, bool tracked, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = OneTimeTokens.Hash(token);
        var query = db.Set<Invitation>().Include(i => i.Organization).Where(i => i.TokenHash == hash);
        return await (tracked ? query : query.AsNoTracking()).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// The owner count and the change must be one decision: two owners demoting each other at once
    /// would otherwise leave none. Serializable makes the database refuse one of them.
    /// </summary>
    private async Task<T> InSerializableTransactionAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
            var result = await action();
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
    }
}
