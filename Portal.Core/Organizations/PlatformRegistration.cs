using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Names;
using Portal.Core.Permissions;

namespace Portal.Core.Organizations;

/// <summary>What the sign-up page may offer to whoever opened it.</summary>
/// <param name="Allowed">Whether the page shows the form.</param>
/// <param name="InvitedEmail">The invited address when the page was opened with a pending invitation.</param>
/// <param name="Refusal">Why there is no form, when <paramref name="Allowed"/> is false.</param>
public sealed record SignUpOffer(bool Allowed, string? InvitedEmail, string? Refusal);

/// <summary>
/// The platform's registration setting (open, or by invitation only) and the one decision
/// "may this person create an account here". A new installation has no settings row and is
/// invitation-only. Only platform administrators change the setting; the command line, whose
/// operator already holds the database, changes it without a role check.
/// </summary>
public sealed class PlatformRegistration(PortalDbContext db, PermissionEvaluator permissions, AuditTrail audit, TimeProvider time)
{
    public const string InvitationOnlyMessage = "Registration is by invitation only. Ask an admin of an organization to invite you, then open the invitation link.";

    public const string InvitationNotUsableMessage = "This invitation is no longer valid. Ask an admin of the organization for a new one.";

    /// <summary>The current setting; invitation-only when it was never set.</summary>
    public async Task<RegistrationMode> GetAsync(CancellationToken cancellationToken = default) =>
        await db.PlatformSettings.AsNoTracking()
            .Where(s => s.Id == PlatformSettings.SingletonId)
            .Select(s => (RegistrationMode?)s.Registration)
            .FirstOrDefaultAsync(cancellationToken)
        ?? RegistrationMode.InvitationOnly;

    /// <summary>Whether the caller may read and change the platform's settings (a platform administrator, by the database's role).</summary>
    public Task<bool> MayChangeAsync(Caller caller, CancellationToken cancellationToken = default) =>
        permissions.IsPlatformAdministratorAsync(caller, cancellationToken);

    /// <summary>Changes the setting. Throws <see cref="AccessDeniedException"/> unless the caller is a platform administrator.</summary>
    public async Task SetAsync(Caller caller, RegistrationMode mode, CancellationToken cancellationToken = default)
    {
        if (!await MayChangeAsync(caller, cancellationToken))
        {
            throw new AccessDeniedException("Only platform administrators can change who may register.");
        }

        await ApplyAsync(caller, mode, cancellationToken);
    }

    /// <summary>
    /// Changes the setting for the operator on the command line (headless installs may have no
    /// platform administrator yet). Refuses any caller that is not the command line's.
    /// </summary>
    public async Task SetAsOperatorAsync(Caller operatorCaller, RegistrationMode mode, CancellationToken cancellationToken = default)
    {
        if (operatorCaller.Channel != Channels.CommandLine)
        {
            throw new AccessDeniedException("Only the command line changes the registration setting without a platform administrator.");
        }

        await ApplyAsync(operatorCaller, mode, cancellationToken);
    }

    /// <summary>What the sign-up page offers for the invitation token it was opened with (or none).</summary>
    public async Task<SignUpOffer> OfferAsync(string? invitationToken, CancellationToken cancellationToken = default)
    {
        var invitation = await PendingInvitationAsync(invitationToken, cancellationToken);
        if (await GetAsync(cancellationToken) == RegistrationMode.Open)
        {
            return new SignUpOffer(true, invitation?.Email, null);
        }

        if (invitation is not null)
        {
            return new SignUpOffer(true, invitation.Email, null);
        }

        return new SignUpOffer(false, null, string.IsNullOrEmpty(invitationToken) ? InvitationOnlyMessage : InvitationNotUsableMessage);
    }

    /// <summary>
    /// Throws <see cref="AccessDeniedException"/> unless an account for the email may be created
    /// on the sign-up page: registration is open, or the token is a pending, unexpired invitation
    /// for that very address.
    /// </summary>
    public async Task EnsureMaySignUpAsync(string email, string? invitationToken, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(cancellationToken) == RegistrationMode.Open)
        {
            return;
        }

        if (string.IsNullOrEmpty(invitationToken))
        {
            throw new AccessDeniedException(InvitationOnlyMessage);
        }

        var invitation = await PendingInvitationAsync(invitationToken, cancellationToken)
            ?? throw new AccessDeniedException(InvitationNotUsableMessage);
        if (!string.Equals(EmailAddresses.LookupKey(email), invitation.NormalizedEmail, StringComparison.Ordinal))
        {
            throw new AccessDeniedException($"This invitation is for {invitation.Email}. Register with that address.");
        }
    }

    private async Task ApplyAsync(Caller caller, RegistrationMode mode, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new InvalidRequestException("registration", "Choose open or invitation-only.");
        }

        var settings = await db.PlatformSettings.FirstOrDefaultAsync(s => s.Id == PlatformSettings.SingletonId, cancellationToken);
        var before = settings?.Registration ?? RegistrationMode.InvitationOnly;
        if (settings is null)
        {
            settings = new PlatformSettings();
            db.PlatformSettings.Add(settings);
        }

        settings.Registration = mode;
        settings.UpdatedAt = time.GetUtcNow();
        audit.Record(caller, AuditActions.RegistrationChanged, organizationId: null, "platform", "registration", null,
            new { before = Describe(before), after = Describe(mode) });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two first-time saves at once: both inserted row 1 and the primary key refused one.
            throw new ConflictException("registration", "The setting was changed by someone else; reload it and try again.");
        }
    }

    /// <summary>The setting's word on the command line and in the audit trail.</summary>
    public static string Describe(RegistrationMode mode) => mode switch
    {
        RegistrationMode.Open => "open",
        RegistrationMode.InvitationOnly => "invitation-only",
        _ => mode.ToString(),
    };

    private async Task<Invitation?> PendingInvitationAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = OneTimeTokens.Hash(token);
        var invitation = await db.Set<Invitation>().AsNoTracking().FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        return invitation is not null && invitation.IsPending(time.GetUtcNow()) ? invitation : null;
    }
}
