using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd (package python3-aiosmtpd, installed by
/// scripts/test.sh) run as <c>python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR</c>,
/// which accepts every message and stores it in a Maildir. <see cref="WaitForMailAsync"/> reads them
/// back, parsed by MimeKit, with the envelope recipient aiosmtpd adds as <c>X-RcptTo</c>.
/// The process is killed on dispose.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private int _disposed;

    private SmtpSink(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The Maildir the messages land in (new/ holds one file per message).</summary>
    public string Folder { get; }

    /// <summary>Starts the server on a free loopback port and returns once it accepts connections.</summary>
    public static SmtpSink Start()
    {
        // A folder that does not exist yet: Python's Maildir lays out tmp/, new/ and cur/ only when it creates the folder itself.
        var folder = Path.Combine(Directory.CreateTempSubdirectory("portal-smtp-").FullName, "maildir");
        // The port is chosen, released and then taken by the server: another process could take it
        // in between, so a server that exits at once is retried on another port.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(Python(), ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", folder])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start python3 for the SMTP server.");
            var error = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < StartTimeout)
            {
                if (process.HasExited)
                {
                    break;
                }

                if (Accepts(port))
                {
                    return new SmtpSink(process, port, folder);
                }

                Thread.Sleep(50);
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            if (attempt == 2)
            {
                throw new InvalidOperationException(
                    $"The loopback SMTP server (python3 -m aiosmtpd) did not start: {error.Result}. Is python3-aiosmtpd installed (scripts/test.sh installs it)?");
            }
        }
    }

    /// <summary>Every message delivered so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var directory = new DirectoryInfo(Path.Combine(Folder, "new"));
        if (!directory.Exists)
        {
            return [];
        }

        return [.. directory.GetFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => MimeMessage.Load(f.FullName))];
    }

    /// <summary>Messages whose envelope recipient is <paramref name="to"/> (case-insensitive), oldest first.</summary>
    public IReadOnlyList<MimeMessage> MessagesTo(string to) =>
        [.. Messages().Where(m => string.Equals(m.Headers["X-RcptTo"], to, StringComparison.OrdinalIgnoreCase))];

    /// <summary>
    /// Waits until <paramref name="count"/> messages (with that subject, when given) have reached
    /// <paramref name="to"/> and returns the <paramref name="count"/>th; throws after 30 seconds.
    /// Background mail (<c>MailOutbox</c>) arrives a moment after the reply.
    /// </summary>
    public async Task<MimeMessage> WaitForMailAsync(string to, int count = 1, string? subject = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var messages = MessagesTo(to).Where(m => subject is null || m.Subject == subject).ToList();
            if (messages.Count >= count)
            {
                return messages[count - 1];
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"No mail #{count} to {to} within 30 s; {Messages().Count} message(s) in all.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The first link in the message's text that starts with <paramref name="prefix"/>.</summary>
    public static Uri LinkIn(MimeMessage message, string prefix)
    {
        var text = message.TextBody ?? throw new InvalidOperationException("The message has no text body.");
        var start = text.IndexOf(prefix, StringComparison.Ordinal);
        Assert.True(start >= 0, $"No link starting {prefix} in:\n{text}");
        var end = text.IndexOfAny([' ', '\n', '\r'], start);
        return new Uri(end < 0 ? text[start..] : text[start..end]);
    }

    public void Dispose()
    {
        // The app that holds it may be disposed twice (DisposeAsync, then Dispose).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }

    // Debian's interpreter, where the python3-aiosmtpd package puts the module; another python3
    // on PATH (a version manager's) would not have it.
    private static string Python() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
