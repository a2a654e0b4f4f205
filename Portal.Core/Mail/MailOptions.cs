using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Portal.Core.Mail;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum MailSecurity
{
    /// <summary>Plain SMTP, never upgraded: only for a relay on loopback or a trusted private network.</summary>
    None,

    /// <summary>Plain connection upgraded with STARTTLS, refused when the server does not offer it (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    SslOnConnect,
}

/// <summary>
/// Outgoing mail, bound from the <c>Mail</c> section. Without <see cref="Host"/> no mail is sent
/// at all: invitation links are shown to the admin who invites, and nobody confirms an address.
/// With it, invitations are mailed and registration confirms the address (see the README's "Mail").
/// Checked at start; a message names the setting and never echoes the password.
/// </summary>
public sealed class MailOptions : IValidatableObject
{
    public const string Section = "Mail";

    /// <summary>The SMTP server's host name or address; unset or blank turns mail off.</summary>
    public string? Host { get; set; }

    /// <summary>The SMTP server's TCP port, 1 to 65535; unset means 587, or 465 with <see cref="MailSecurity.SslOnConnect"/>, or 25 with <see cref="MailSecurity.None"/>.</summary>
    public int? Port { get; set; }

    /// <summary>How the connection is secured; STARTTLS unless set.</summary>
    public MailSecurity Security { get; set; } = MailSecurity.StartTls;

    /// <summary>The user name for SMTP authentication; unset means no authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>The password for SMTP authentication; only with <see cref="UserName"/>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The sender, an RFC 5322 mailbox: <c>keys@example.com</c> or <c>Key Portal &lt;keys@example.com&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>How long one message may take to hand over (connect, authenticate, send), 1 second to 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Mail:Timeout must be between 00:00:01 and 00:05:00.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether mail is on: a host is set.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Host);

    /// <summary>The port in force: <see cref="Port"/>, else the usual one for <see cref="Security"/>.</summary>
    public int EffectivePort => Port ?? Security switch
    {
        MailSecurity.SslOnConnect => 465,
        MailSecurity.None => 25,
        _ => 587,
    };

    /// <summary>The parsed <see cref="From"/>; only valid once the options passed validation with mail on (a method: the configuration binder reads properties).</summary>
    public MailboxAddress Sender() => ParseFrom(From) ?? throw new InvalidOperationException("Mail:From is not set to a mailbox.");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsEnabled)
        {
            // Settings without a host would silently do nothing: say so rather than ignore them.
            if (!string.IsNullOrWhiteSpace(From) || !string.IsNullOrEmpty(UserName) || !string.IsNullOrEmpty(Password) || Port is not null)
            {
                yield return new ValidationResult("Mail:Host is not set, yet other Mail settings are: set Mail:Host to turn mail on, or remove the Mail section.", [nameof(Host)]);
            }

            yield break;
        }

        if (Uri.CheckHostName(Host!.Trim()) == UriHostNameType.Unknown)
        {
            yield return new ValidationResult("Mail:Host must be a host name or an IP address (e.g. smtp.example.com).", [nameof(Host)]);
        }

        if (Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Mail:Port must be between 1 and 65535.", [nameof(Port)]);
        }

        if (!Enum.IsDefined(Security))
        {
            yield return new ValidationResult("Mail:Security must be None, StartTls or SslOnConnect.", [nameof(Security)]);
        }

        if (!string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(UserName))
        {
            yield return new ValidationResult("Mail:Password is set without Mail:UserName: set both, or neither for a server without authentication.", [nameof(Password)]);
        }

        if (string.IsNullOrWhiteSpace(From))
        {
            yield return new ValidationResult("Mail:From must be set to the sender's address (e.g. keys@example.com) when Mail:Host is.", [nameof(From)]);
        }
        else if (ParseFrom(From) is null)
        {
            yield return new ValidationResult("Mail:From is not an email address (e.g. keys@example.com or \"Key Portal <keys@example.com>\").", [nameof(From)]);
        }
    }

    /// <summary>One mailbox with an address that has a local part and a domain, else null.</summary>
    private static MailboxAddress? ParseFrom(string? from) =>
        !string.IsNullOrWhiteSpace(from) && MailboxAddress.TryParse(ParserOptions.Default, from.Trim(), out var mailbox)
            && mailbox.Address.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < mailbox.Address.Length - 1
            ? mailbox
            : null;
}
