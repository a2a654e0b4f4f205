using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Mail;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Mail;

/// <summary>The SMTP sender against a real SMTP server on loopback, and against none.</summary>
public sealed class SmtpMailSenderTests(SmtpMailSenderTests.Server server) : IClassFixture<SmtpMailSenderTests.Server>
{
    public sealed class Server : IDisposable
    {
        public SmtpSink Sink { get; } = SmtpSink.Start();

        public void Dispose() => Sink.Dispose();
    }

    [Fact]
    public async Task Send_ServerUp_DeliversTextWithSenderSubjectAndLink()
    {
        var to = $"person-{Guid.NewGuid():N}@example.com";
        var sender = Sender(server.Sink.Port);

        await sender.SendAsync(new OutgoingMail(to, "Invitation to join Acme & Co", "Open this:\nhttps://keys.example.com/invitations/" + new string('a', 43) + "\n"));

        var mail = await server.Sink.WaitForMailAsync(to);
        Assert.Equal("Key Portal", mail.From.Mailboxes.Single().Name);
        Assert.Equal("keys@portal.test", mail.From.Mailboxes.Single().Address);
        Assert.Equal("Invitation to join Acme & Co", mail.Subject);
        Assert.Equal("https://keys.example.com/invitations/" + new string('a', 43), SmtpSink.LinkIn(mail, "https://keys.example.com/").ToString());
    }

    [Fact]
    public async Task Send_AddressWithApostrophe_Delivered()
    {
        var to = $"o'brien-{Guid.NewGuid():N}@example.com";

        await Sender(server.Sink.Port).SendAsync(new OutgoingMail(to, "Hello", "Text"));

        Assert.Equal(to, (await server.Sink.WaitForMailAsync(to)).To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task Send_NobodyListening_ThrowsMailDeliveryExceptionWithoutDetails()
    {
        var sender = Sender(ClosedPort());

        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendAsync(new OutgoingMail("x@example.com", "Hello", "secret-token-123")));

        Assert.Equal(SmtpMailSender.NotDeliveredMessage, error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task Send_NotAnAddress_ThrowsMailDeliveryException()
    {
        var error = await Assert.ThrowsAsync<MailDeliveryException>(() => Sender(server.Sink.Port).SendAsync(new OutgoingMail("not an address", "Hello", "Text")));

        Assert.Contains("not an address mail can be sent to", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_MailOff_Refuses()
    {
        var sender = new SmtpMailSender(Options.Create(new MailOptions()), NullLogger<SmtpMailSender>.Instance);

        Assert.False(sender.IsEnabled);
        await Assert.ThrowsAsync<InvalidOperationException>(() => sender.SendAsync(new OutgoingMail("x@example.com", "Hello", "Text")));
    }

    private static SmtpMailSender Sender(int port) => new(
        Options.Create(new MailOptions { Host = "127.0.0.1", Port = port, Security = MailSecurity.None, From = MailApp.From, Timeout = TimeSpan.FromSeconds(10) }),
        NullLogger<SmtpMailSender>.Instance);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
