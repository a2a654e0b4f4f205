using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Mail;
using Portal.Core.Organizations;
using Portal.Hosting;

namespace Portal.Account;

/// <summary>
/// The email confirmation mail (Identity's email confirmation token, valid for a day) after sign-up,
/// and the checks around it (<see cref="InvitationMail"/> mails invitations). Links are built on
/// <c>PublicUrl</c> only, which mail requires at start: a link built from the request's Host header
/// would let whoever sends the request point the mail at their own site. Nothing here logs a token or a link.
/// </summary>
public sealed class AccountMail(IMailSender mail, MailOutbox outbox, UserManager<PortalUser> users, PublicLinks links, TimeProvider time)
{
    /// <summary>The confirmation page's path.</summary>
    public const string ConfirmPath = "/account/confirm-email";

    /// <summary>The page that sends the confirmation link again.</summary>
    public const string ResendPath = "/account/resend-confirmation";

    /// <summary>Whether mail is configured; without it nothing here may be called.</summary>
    public bool IsEnabled => mail.IsEnabled;

    /// <summary>
    /// Mails a fresh confirmation link to the user's address and returns once the SMTP server took it.
    /// Throws <see cref="MailDeliveryException"/> when it did not.
    /// </summary>
    public async Task SendConfirmationAsync(PortalUser user, CancellationToken cancellationToken = default) =>
        await mail.SendAsync(await ConfirmationMailAsync(user), cancellationToken);

    /// <summary>
    /// Queues a fresh confirmation link when <paramref name="email"/> is an account waiting for
    /// confirmation, and does nothing otherwise: the caller answers the same either way, and the
    /// answer does not wait for the mail (see <see cref="MailOutbox"/>).
    /// </summary>
    public async Task ResendConfirmationAsync(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 256 || !mail.IsEnabled)
        {
            return;
        }

        var user = await users.FindByEmailAsync(email.Trim());
        if (user is { EmailConfirmed: false })
        {
            outbox.Enqueue(await ConfirmationMailAsync(user));
        }
    }

    /// <summary>
    /// After Identity refused a sign-in as not allowed: true when the password is right and the only
    /// thing missing is the confirmed address, so the page may say so. A wrong password counts as a
    /// failed attempt toward lockout, as it would for a confirmed account (Identity's check stops
    /// before the password when the address is unconfirmed), and gives false.
    /// </summary>
    public async Task<bool> AwaitsConfirmationAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null || user.EmailConfirmed || !mail.IsEnabled || await users.IsLockedOutAsync(user))
        {
            return false;
        }

        if (await users.CheckPasswordAsync(user, password))
        {
            return true;
        }

        await users.AccessFailedAsync(user);
        return false;
    }

    /// <summary>
    /// Confirms the address when <paramref name="userId"/> and <paramref name="code"/> come from a
    /// confirmation link that is still valid (issued by this portal, under a day old, for the
    /// account as it is now); false for anything else, malformed input included.
    /// </summary>
    public async Task<bool> ConfirmAsync(string? userId, string? code)
    {
        if (!Guid.TryParse(userId, out var id) || string.IsNullOrEmpty(code) || code.Length > 2048)
        {
            return false;
        }

        string token;
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return false;
        }

        // The token is checked even for an address already confirmed: the page must not tell a
        // forged link's maker which accounts exist and are confirmed. A link opened twice works twice.
        var user = await users.FindByIdAsync(id.ToString());
        return user is not null && (await users.ConfirmEmailAsync(user, token)).Succeeded;
    }

    private async Task<OutgoingMail> ConfirmationMailAsync(PortalUser user)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        var link = Absolute(links, $"{ConfirmPath}?userId={user.Id}&code={code}");
        var until = time.GetUtcNow().AddDays(1).UtcDateTime;
        var body = $"""
            Someone, probably you, created an account on the key portal with this address.

            Open this link to confirm the address; you can sign in once it is confirmed. It works until {until:yyyy-MM-dd HH:mm} UTC:
            {link}

            If it was not you, ignore this mail: the account cannot be used without this link.
            """;
        return new OutgoingMail(user.Email!, "Confirm your email address", body.ReplaceLineEndings("\n"));
    }

    /// <summary>The absolute link to a portal path on <c>PublicUrl</c> (required with mail on).</summary>
    internal static string Absolute(PublicLinks links, string path) =>
        new Uri(links.Configured ?? throw new InvalidOperationException("Mail needs PublicUrl; the start-up check requires it."), path.TrimStart('/')).ToString();
}
