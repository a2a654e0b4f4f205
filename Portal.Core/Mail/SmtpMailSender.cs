using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;

namespace Portal.Core.Mail;

/// <summary>
/// <see cref="IMailSender"/> over SMTP with MailKit: one connection per message (mail is rare here:
/// invitations and confirmations), secured as <see cref="MailOptions.Security"/> says, with
/// certificates checked by the operating system's trust store. Logs the recipient's domain and the
/// server's reply on failure, never the message, its recipient's local part, or the password.
/// </summary>
public sealed partial class SmtpMailSender(IOptions<MailOptions> options, ILogger<SmtpMailSender> logger) : IMailSender
{
    public const string NotDeliveredMessage = "The mail server did not accept the message, so nothing was sent. Try again later, or ask the operator to check the mail settings.";

    public bool IsEnabled => options.Value.IsEnabled;

    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!settings.IsEnabled)
        {
            throw new InvalidOperationException("Mail is not configured (Mail:Host is not set).");
        }

        if (!MailboxAddress.TryParse(ParserOptions.Default, mail.To, out var recipient) || recipient.Address.IndexOf('@', StringComparison.Ordinal) <= 0)
        {
            throw new MailDeliveryException($"'{mail.To}' is not an address mail can be sent to.");
        }

        using var message = new MimeMessage();
        message.From.Add(settings.Sender());
        message.To.Add(new MailboxAddress("", recipient.Address));
        message.Subject = mail.Subject;
        message.Body = new TextPart(TextFormat.Plain) { Text = mail.Body };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(settings.Host!.Trim(), settings.EffectivePort, SocketOptions(settings.Security), deadline.Token);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", deadline.Token);
            }

            await client.SendAsync(message, deadline.Token);
            await client.DisconnectAsync(quit: true, deadline.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Connection refused, TLS refused, authentication refused, recipient refused, or timed out:
            // for the person it is one thing (not sent); the operator's log says which.
            NotSent(logger, DomainOf(recipient.Address), settings.Host!.Trim(), settings.EffectivePort, e);
            throw new MailDeliveryException(NotDeliveredMessage, e);
        }
    }

    private static SecureSocketOptions SocketOptions(MailSecurity security) => security switch
    {
        MailSecurity.None => SecureSocketOptions.None,
        MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    private static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail to a recipient at {Domain} was not accepted by {Host}:{Port}")]
    private static partial void NotSent(ILogger logger, string domain, string host, int port, Exception error);
}
