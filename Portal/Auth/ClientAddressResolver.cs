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

    public ClientAddressResolver(IOptions<ForwardingOptions> options)
    {
        _trusted = [.. options.Value.TrustedProxies.Select(p => ForwardingOptions.TryParseNetwork(p, out var n) ? n : throw new OptionsValidationException(ForwardingOptions.Section, typeof(ForwardingOptions), [$"Bad proxy '{p}'."]))];
    }

    public string? Resolve(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress;
        if (peer is null)
        {
            return null;
        }

        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        if (_trusted.Length == 0 || !IsTrusted(peer))
        {
            return peer.ToString();
        }

        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
        var hops = forwarded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop))
            {
                break;
            }

            if (!IsTrusted(hop))
            {
                return hop.ToString();
            }

            peer = hop;
        }

        return peer.ToString();
    }

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
}
