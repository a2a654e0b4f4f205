using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Portal.E2E.Gateway;

/// <summary>
/// The app behind the gateway, reduced to what the tests ask of it: a loopback HTTP server that
/// keeps each request line exactly as it arrived (no framework in between to decode or normalise
/// the target) with the headers the gateway added, and answers <c>200 upstream METHOD TARGET</c>.
/// nginx talks HTTP/1.0 to its upstreams by default, one request per connection.
/// </summary>
/// <remarks>
/// Like an app behind a gateway that checks signatures, it checks the body against its
/// <c>Content-Digest</c> (RFC 9530, <c>sha-256</c> or <c>sha-512</c>): the Portal never sees the body, only
/// that the signature covers the digest. A body that does not match is answered 400
/// <c>upstream content-digest mismatch</c>.
/// </remarks>
public sealed class RecordingUpstream : IDisposable
{
    /// <summary>Names the test request that caused an upstream request: the client sends it, nginx passes it on.</summary>
    public const string RequestIdHeader = "X-Test-Request";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly CancellationTokenSource _stopping = new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public RecordingUpstream() => _listener.Start();

    /// <summary>A request as the upstream received it: method and target verbatim, the headers the tests look at, all headers (names case-insensitive) and the body (UTF-8).</summary>
    public sealed record ReceivedRequest(string Method, string Target, string? RequestId, string? KeyId, string? Scopes, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }

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
                var content = await ReadBodyAsync(stream, headers, _stopping.Token);
                _received.Enqueue(new ReceivedRequest(
                    requestLine[0], requestLine[1], headers.GetValueOrDefault(RequestIdHeader), headers.GetValueOrDefault("X-Key-Id"), headers.GetValueOrDefault("X-Scopes"),
                    headers, Encoding.UTF8.GetString(content)));

                var digestMatches = DigestMatches(headers.GetValueOrDefault("Content-Digest"), content);
                var body = Encoding.UTF8.GetBytes(digestMatches ? $"upstream {requestLine[0]} {requestLine[1]}\n" : "upstream content-digest mismatch\n");
                var response = new StringBuilder()
                    .Append(digestMatches ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 400 Bad Request\r\n")
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

    /// <summary>The body nginx sent: Content-Length bytes (nginx sends HTTP/1.0 upstream, so never chunked); empty without one.</summary>
    private static async Task<byte[]> ReadBodyAsync(Stream stream, Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        if (!int.TryParse(headers.GetValueOrDefault("Content-Length"), out var length) || length <= 0)
        {
            return [];
        }

        var content = new byte[length];
        await stream.ReadExactlyAsync(content, cancellationToken);
        return content;
    }

    /// <summary>
    /// Whether the body matches every sha-256 / sha-512 member of a Content-Digest field (RFC 9530: a
    /// structured-field Dictionary of byte sequences); true when there is no such field.
    /// </summary>
    private static bool DigestMatches(string? contentDigest, byte[] content)
    {
        if (contentDigest is null)
        {
            return true;
        }

        foreach (var member in contentDigest.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = member.IndexOf('=');
            if (equals < 0)
            {
                return false;
            }

            var expected = member[(equals + 1)..].Trim(':');
            var actual = member[..equals] switch
            {
                "sha-256" => Convert.ToBase64String(SHA256.HashData(content)),
                "sha-512" => Convert.ToBase64String(SHA512.HashData(content)),
                _ => null,
            };
            if (actual is not null && actual != expected)
            {
                return false;
            }
        }

        return true;
    }
}
