using System.Net;
using Microsoft.Extensions.Options;

namespace Portal.Auth;

/// <summary>
/// The client's address: the direct peer, unless the peer is a configured trusted proxy, in which
/// case the right-most address of <c>X-Forwarded-For</c> that is not itself a trusted proxy.
/// A client can prepend anything to that header, so only the part our proxies appended counts.
/// </summary>
public sealed class ClientAddressResolver
{
    private readonly IPNetwork[] _trusted;

    [ThreadStatic]
    private static PeerText? t_lastPeer;

    [ThreadStatic]
    private static ForwardedText? t_lastForwarded;

    public ClientAddressResolver(IOptions<ForwardingOptions> options)
    {
        _trusted = [.. options.Value.Networks()];
    }

    /// <summary>Whether the direct peer is a trusted proxy, whose forwarding headers may be believed.</summary>
    public bool IsTrustedPeer(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } peer && IsTrusted(Unmapped(peer));

    public string? Resolve(HttpContext context)
    {
        var connectionPeer = context.Connection.RemoteIpAddress;
        if (connectionPeer is null)
        {
            return null;
        }

        if (_trusted.Length == 0)
        {
            return TextOf(connectionPeer);
        }

        var peer = Unmapped(connectionPeer);
        if (!IsTrusted(peer))
        {
            return TextOf(connectionPeer);
        }

        // A gateway forwards the same few clients over the same connections: this thread's last
        // answer is reused for the same peer and header, sparing the split and parses each time.
        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
        var last = t_lastForwarded;
        if (last is not null && ReferenceEquals(last.Resolver, this) && ReferenceEquals(last.ConnectionPeer, connectionPeer) && string.Equals(last.Forwarded, forwarded, StringComparison.Ordinal))
        {
            return last.Text;
        }

        var text = FromForwarded(peer, forwarded);
        t_lastForwarded = new ForwardedText(this, connectionPeer, forwarded, text);
        return text;
    }

    private string FromForwarded(IPAddress peer, string forwarded)
    {
        var hops = forwarded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            // A zone id (fe80::1%eth0) names an interface of the writer's machine, not a client.
            // The spelling verify's clientIp accepts, no looser: no shorthand, octal or zone id.
            if (ClientAddressText.Normalize(hops[i]) is not { } normal || !IPAddress.TryParse(normal, out var written))
            {
                break;
            }

            var hop = Unmapped(written);

            if (!IsTrusted(hop))
            {
                return hop.ToString();
            }

            peer = hop;
        }

        return peer.ToString();
    }

    // A connection keeps its address object for all its requests. On a dual-stack listener every
    // IPv4 peer arrives mapped to IPv6, and mapping and formatting it again would cost two objects
    // per request; this thread's last answer is reused while the connection is the same.
    private static string TextOf(IPAddress connectionPeer)
    {
        var last = t_lastPeer;
        if (last is not null && ReferenceEquals(last.ConnectionPeer, connectionPeer))
        {
            return last.Text;
        }

        t_lastPeer = last = new PeerText(connectionPeer, Unmapped(connectionPeer).ToString());
        return last.Text;
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private sealed record PeerText(IPAddress ConnectionPeer, string Text);

    private sealed record ForwardedText(ClientAddressResolver Resolver, IPAddress ConnectionPeer, string Forwarded, string Text);
}
