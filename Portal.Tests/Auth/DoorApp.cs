using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// The product with a network peer on every request. TestServer leaves
/// <c>Connection.RemoteIpAddress</c> null, which a real socket never does; this host gives each request
/// the peer <see cref="DefaultPeer"/>, or the one named in <see cref="PeerHeader"/>, and trusts
/// <see cref="TrustedProxies"/> as the gateways in front of it.
/// </summary>
public abstract class DoorApp(DatabaseProvider provider) : PortalApp(provider)
{
    /// <summary>A test-only header naming the direct peer, so a test can play a trusted proxy.</summary>
    public const string PeerHeader = "X-Test-Peer";

    public const string DefaultPeer = "198.51.100.20";

    public const string TrustedProxies = "10.0.0.0/8";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Forwarding:TrustedProxies:0", TrustedProxies);
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, PeerAddressFilter>());
    }

    private sealed class PeerAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                var named = context.Request.Headers[PeerHeader].ToString();
                context.Connection.RemoteIpAddress = IPAddress.Parse(named.Length > 0 ? named : DefaultPeer);
                context.Request.Headers.Remove(PeerHeader);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

public sealed class SqliteDoorApp() : DoorApp(DatabaseProvider.Sqlite);

public sealed class PostgreSqlDoorApp() : DoorApp(DatabaseProvider.PostgreSql);
