using System.Net;

namespace Portal.Core.Webhooks;

/// <summary>Resolves a webhook's host name to addresses; the one place webhooks ask DNS, so tests can answer instead.</summary>
public interface IWebhookHostResolver
{
    /// <summary>The host's addresses, in the resolver's order; throws <see cref="System.Net.Sockets.SocketException"/> when the name does not resolve.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver (<see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>).</summary>
internal sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
