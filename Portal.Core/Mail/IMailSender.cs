namespace Portal.Core.Mail;

/// <summary>One plain-text message to one recipient.</summary>
/// <param name="To">The recipient's address, as the person typed it (an RFC 5322 addr-spec).</param>
/// <param name="Subject">One line, without line breaks.</param>
/// <param name="Body">Plain text; lines end with <c>\n</c>. May hold a link with a token: never log it.</param>
public sealed record OutgoingMail(string To, string Subject, string Body);

/// <summary>
/// Sends mail through the configured SMTP server (<see cref="MailOptions"/>). Callers ask
/// <see cref="IsEnabled"/> first: without mail settings there is nowhere to send to.
/// </summary>
public interface IMailSender
{
    /// <summary>Whether mail is configured (<c>Mail:Host</c> is set).</summary>
    bool IsEnabled { get; }

    /// <summary>
    /// Hands the message to the SMTP server and returns once the server accepted it (delivery to the
    /// mailbox is the server's business from then on). Throws <see cref="MailDeliveryException"/>
    /// when the server cannot be reached, refuses the sender or the recipient, or times out, and
    /// <see cref="InvalidOperationException"/> when mail is not configured.
    /// </summary>
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default);
}

/// <summary>
/// The mail server did not take a message. <see cref="Exception.Message"/> is for the person who
/// asked for the mail (it names neither the server's reply nor the message's content); the cause,
/// for the operator's log, is the inner exception.
/// </summary>
public sealed class MailDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
