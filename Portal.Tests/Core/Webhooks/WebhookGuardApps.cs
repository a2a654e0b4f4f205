using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Webhooks;

/// <summary>The product with webhook DNS answered by <see cref="Dns"/>, and loopback not admitted (as outside Development).</summary>
public abstract class WebhookDnsApp(DatabaseProvider provider) : PortalApp(provider)
{
    public TestHostResolver Dns { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:AllowLoopbackHttp", "false");
        builder.ConfigureTestServices(services => services.AddSingleton<IWebhookHostResolver>(Dns));
    }
}

/// <summary>The default rule, with a public URL whose host is the portal's own.</summary>
public sealed class GuardedWebhookApp() : WebhookDnsApp(DatabaseProvider.Sqlite)
{
    public const string PublicHost = "keys.example.test";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PublicUrl", $"https://{PublicHost}");
    }
}

/// <summary>Webhooks:AllowPrivateNetworks on: deliveries may reach inside.</summary>
public sealed class PrivateNetworksWebhookApp() : WebhookDnsApp(DatabaseProvider.Sqlite)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Webhooks:AllowPrivateNetworks", "true");
    }
}
