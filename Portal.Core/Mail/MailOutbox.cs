using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace Portal.Core.Mail;

/// <summary>
/// Mail sent in the background, for answers that must not depend on whether a mail went out:
/// "send the confirmation link again" answers alike for an unknown address and a real one, and
/// a reply that waited for the SMTP server would tell them apart by its time. Holds at most
/// <see cref="Capacity"/> messages; past that new ones are dropped (the person can ask again).
/// A failed send is logged by the sender (<see cref="SmtpMailSender"/>) and not retried.
/// </summary>
public sealed class MailOutbox(IMailSender sender) : BackgroundService
{
    public const int Capacity = 1_000;

    private readonly Channel<OutgoingMail> _queue = Channel.CreateBounded<OutgoingMail>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Queues the message; returns at once, whether or not it will be sent.</summary>
    public void Enqueue(OutgoingMail mail) => _queue.Writer.TryWrite(mail);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mail in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await sender.SendAsync(mail, stoppingToken);
            }
            catch (MailDeliveryException)
            {
                // Already logged with its cause; the person asks again if nothing arrives.
            }
        }
    }
}
