using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Portal.Auth;

namespace Portal.Hosting;

/// <summary>
/// Behind a TLS-terminating proxy: the scheme and host the client used, from <c>X-Forwarded-Proto</c>
/// and <c>X-Forwarded-Host</c>, believed only when the direct peer is a trusted proxy
/// (<c>Forwarding:TrustedProxies</c>, and loopback unless <c>Forwarding:TrustLoopback</c> is off).
/// </summary>
/// <remarks>
/// <c>X-Forwarded-For</c> is deliberately not applied: the client's address is read by
/// <see cref="ClientAddressResolver"/>, which must keep seeing the direct peer to decide whether
/// that peer is trusted. Rewriting <c>Connection.RemoteIpAddress</c> here would make a client
/// behind the proxy look like the peer and change that decision.
/// </remarks>
public static class ForwardedSchemeAndHost
{
    /// <summary>
    /// ASP.NET Core's forwarded-headers middleware, limited to scheme and host, trusting exactly the
    /// <c>Forwarding</c> list; nothing at all when the list is empty.
    /// </summary>
    public static IApplicationBuilder UseForwardedSchemeAndHost(this IApplicationBuilder app)
    {
        var options = Options(app.ApplicationServices.GetRequiredService<IOptions<ForwardingOptions>>().Value);
        // The middleware reads empty known lists as "trust every peer": with nobody trusted it must not run.
        return options.KnownIPNetworks.Count == 0 ? app : app.UseForwardedHeaders(options);
    }

    /// <summary>The middleware's options for the given trust list; its built-in loopback defaults are replaced by the list.</summary>
    public static ForwardedHeadersOptions Options(ForwardingOptions forwarding)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            // The proxy nearest to us is the one that terminated TLS; hops further out are the client's word.
            ForwardLimit = 1,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in forwarding.Networks())
        {
            options.KnownIPNetworks.Add(network);
        }

        return options;
    }
}
