using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.E2E.Gateway;

/// <summary>
/// HTTP/1.1 written by hand over a socket, like <c>curl --path-as-is</c>: the request target goes
/// out byte for byte (HttpClient would resolve dot segments and re-escape it), one request per
/// connection.
/// </summary>
public static class RawHttp
{
    /// <summary>A response: status, headers (names case-insensitive, repeated ones joined with a comma) and body.</summary>
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="target"/> as written to a loopback port and reads the whole answer.</summary>
    public static Task<Response> SendAsync(int port, string method, string target, params (string Name, string Value)[] headers) =>
        SendWithBodyAsync(port, method, target, body: null, headers);

    /// <summary>
    /// Like <see cref="SendAsync"/>, followed by <paramref name="body"/> as UTF-8 when there is one; the
    /// caller names its Content-Length among <paramref name="headers"/>, so a recorded request goes out again byte for byte.
    /// </summary>
    public static async Task<Response> SendWithBodyAsync(int port, string method, string target, string? body, params (string Name, string Value)[] headers)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var stream = client.GetStream();

        var request = new StringBuilder().Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n")
            .Append("Host: 127.0.0.1:").Append(port).Append("\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(request.Append("\r\n").ToString()), timeout.Token);
        if (body is not null)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(body), timeout.Token);
        }

        using var all = new MemoryStream();
        await stream.CopyToAsync(all, timeout.Token);
        var text = Encoding.Latin1.GetString(all.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidOperationException($"No complete response to {method} {target}: '{text}'.");
        }

        var lines = text[..end].Split("\r\n");
        return new Response(int.Parse(lines[0].Split(' ')[1]), ParseHeaders(lines.AsSpan(1)), text[(end + 4)..]);
    }

    /// <summary>Reads up to the blank line that ends a message's head; the head as Latin-1 text, without that line.</summary>
    public static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                return Encoding.Latin1.GetString([.. head[..^4]]);
            }
        }

        throw new IOException("The connection closed before the end of the message head.");
    }

    public static Dictionary<string, string> ParseHeaders(ReadOnlySpan<string> lines)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            headers[name] = headers.TryGetValue(name, out var earlier) ? $"{earlier}, {value}" : value;
        }

        return headers;
    }
}
