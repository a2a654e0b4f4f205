using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Portal.Core.Webhooks;

/// <summary>
/// The webhook client's <see cref="SocketsHttpHandler.ConnectCallback"/>: every new connection
/// asks <see cref="WebhookDestinations"/> for the checked addresses of the host and opens a socket
/// to one of them, in order, never resolving the name again. A refusal surfaces from
/// <see cref="HttpClient"/> as an <see cref="HttpRequestException"/> whose inner exception is the
/// <see cref="WebhookDestinationRefusedException"/>.
/// </summary>
public sealed class WebhookConnector(WebhookDestinations destinations)
{
    /// <summary>The handler the <c>webhooks</c> client sends with: no redirects, no cookies, no proxy, and this connect step.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        // Through a proxy the connection would go to the proxy, and the proxy would resolve and
        // reach the receiver unchecked.
        UseProxy = false,
        ConnectCallback = ConnectAsync,
    };

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await destinations.CheckAsync(context.DnsEndPoint.Host, cancellationToken);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                // The next address may answer (an IPv6 address on a machine without IPv6 routes).
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
