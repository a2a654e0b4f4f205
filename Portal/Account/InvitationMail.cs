using Portal.Core.Mail;
using Portal.Core.Organizations;
using Portal.Hosting;

namespace Portal.Account;

/// <summary>
/// Mails an invitation's link to the invited address (mail configured), on <c>PublicUrl</c> as
/// every link in mail is (see <see cref="AccountMail"/>). Never logs the link.
/// </summary>
public sealed class InvitationMail(IMailSender mail, PublicLinks links)
{
    /// <summary>Whether mail is configured: invitations are then mailed, never shown.</summary>
    public bool IsEnabled => mail.IsEnabled;

    /// <summary>
    /// Mails the invitation's link to the invited address and returns once the SMTP server took it.
    /// Throws <see cref="MailDeliveryException"/> when it did not. For <see cref="OrganizationDirectory.InviteAsync(Caller, Guid, string?, OrganizationRole, Func{IssuedInvitation, CancellationToken, Task}?, CancellationToken)"/>'s delivery.
    /// </summary>
    /// <param name="issued">The new invitation and its token.</param>
    /// <param name="organizationName">The organization's name, as the mail names it.</param>
    /// <param name="inviter">Who invites, as the mail names them (their email address).</param>
    /// <param name="cancellationToken">Cancels the hand-over.</param>
    public Task SendAsync(IssuedInvitation issued, string organizationName, string inviter, CancellationToken cancellationToken = default)
    {
        var invitation = issued.Invitation;
        var link = AccountMail.Absolute(links, InvitationLinks.PathFor(issued.Token));
        var body = $"""
            {inviter} invited you to join the organization "{organizationName}" as {invitation.Role.ToString().ToLowerInvariant()}.

            Open this link to accept. It works once, for {invitation.Email} only, until {invitation.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC:
            {link}

            Without an account yet, the link lets you create one with this address; you confirm the address before accepting.
            If you did not expect this invitation, ignore this mail.
            """;
        return mail.SendAsync(new OutgoingMail(invitation.Email, $"Invitation to join {organizationName}", body.ReplaceLineEndings("\n")), cancellationToken);
    }
}
