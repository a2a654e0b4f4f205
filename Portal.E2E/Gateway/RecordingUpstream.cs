using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.E2E.Gateway;

/// <summary>
/// The app behind the gateway, reduced to what the tests ask of it: a loopback HTTP server that
/// keeps each request line exactly as it arrived (no framework in between to decode or normalise
/// the target) with the headers the gateway added, and answers <c>200 upstream METHOD TARGET</c>.
/// nginx talks HTTP/1.0 to its upstreams by default, one request per connection.
/// </summary>
public sealed class RecordingUpstream : IDisposable
{
    /// <summary>Names the test request that caused an upstream request: the client sends it, nginx passes it on.</summary>
    public const string RequestIdHeader = "X-Test-Request";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly CancellationTokenSource _stopping = new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public RecordingUpstream() => _listener.Start();

    /// <summary>A request as the upstream received it: method and target verbatim, and the headers the tests look at.</summary>
    public sealed record ReceivedRequest(string Method, string Target, string? RequestId, string? KeyId, string? Scopes);

    /// <summary>Begins answering requests, in the background until <see cref="Dispose"/>.</summary>
    public void Serve() => _ = AcceptAsync();

    /// <summary>The requests that carried this test request's id; none when the gateway never let it through.</summary>
    public IReadOnlyList<ReceivedRequest> ReceivedFor(string requestId) =>
        [.. _received.Where(r => r.RequestId == requestId)];

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await RawHttp.ReadHeadAsync(stream, _stopping.Token);
                var lines = head.Split("\r\n");
                var requestLine = lines[0].Split(' ');
                var headers = RawHttp.ParseHeaders(lines.AsSpan(1));
                _received.Enqueue(new ReceivedRequest(
                    requestLine[0], requestLine[1], headers.GetValueOrDefault(RequestIdHeader), headers.GetValueOrDefault("X-Key-Id"), headers.GetValueOrDefault("X-Scopes")));

                var body = Encoding.UTF8.GetBytes($"upstream {requestLine[0]} {requestLine[1]}\n");
                var response = new StringBuilder()
                    .Append("HTTP/1.1 200 OK\r\n")
                    .Append("Content-Type: text/plain\r\n")
                    .Append("Content-Length: ").Append(body.Length).Append("\r\n")
                    .Append("Connection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response.ToString()), _stopping.Token);
                if (requestLine[0] != "HEAD")
                {
                    await stream.WriteAsync(body, _stopping.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The gateway hung up or the fixture is stopping.
            }
        }
    }
}
