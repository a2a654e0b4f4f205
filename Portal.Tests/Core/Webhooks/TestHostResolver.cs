using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Portal.Core.Webhooks;

namespace Portal.Tests.Core.Webhooks;

/// <summary>
/// DNS as a test says it is: names map to the addresses set here, anything else does not resolve.
/// Counts the questions, to show a delivery resolves once and connects to what it checked.
/// </summary>
public sealed class TestHostResolver : IWebhookHostResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _asked = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Makes <paramref name="host"/> resolve to <paramref name="addresses"/> from now on.</summary>
    public TestHostResolver Map(string host, params string[] addresses)
    {
        _names[host] = [.. addresses.Select(IPAddress.Parse)];
        return this;
    }

    /// <summary>How many times <paramref name="host"/> was asked for.</summary>
    public int Asked(string host) => _asked.GetValueOrDefault(host);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        _asked.AddOrUpdate(host, 1, (_, count) => count + 1);
        return _names.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }
}

/// <summary>The portal's own addresses as a test says they are.</summary>
public sealed class TestOwnAddresses(string[] hosts, string[] addresses) : IPortalOwnAddresses
{
    public bool IsOwnHost(string host) => hosts.Contains(host, StringComparer.OrdinalIgnoreCase);

    public bool IsOwnAddress(IPAddress address) => addresses.Select(IPAddress.Parse).Contains(address);
}
