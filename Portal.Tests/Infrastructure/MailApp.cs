using Microsoft.AspNetCore.Hosting;
using Portal.Core.Data;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The whole product with mail on: its <c>Mail</c> settings point at a real SMTP server on loopback
/// (<see cref="SmtpSink"/>, started with the app and stopped with it), and <c>PublicUrl</c> is the
/// test server's own address, so the links in mail open in the test client.
/// </summary>
public abstract class MailApp : PortalApp
{
    public const string From = "Key Portal <keys@portal.test>";

    protected MailApp(DatabaseProvider provider)
        : base(provider)
    {
        Smtp = SmtpSink.Start();
    }

    /// <summary>The SMTP server the app sends to; read delivered mail from it.</summary>
    public SmtpSink Smtp { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PublicUrl", "http://localhost");
        builder.UseSetting("Mail:Host", "127.0.0.1");
        builder.UseSetting("Mail:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Mail:Security", "None");
        builder.UseSetting("Mail:From", From);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Smtp.Dispose();
        }
    }
}

public sealed class SqliteMailApp() : MailApp(DatabaseProvider.Sqlite);

public sealed class PostgreSqlMailApp() : MailApp(DatabaseProvider.PostgreSql);
