using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// The app on real Kestrel over loopback (SQLite), for requests only a socket can send as they
/// are: raw request targets with dot segments, encoded slashes or control characters, which
/// <see cref="HttpClient"/> and the test server would normalise or refuse before the door sees them.
/// The peer is 127.0.0.1, a trusted proxy by default.
/// </summary>
public sealed class KestrelDoorApp : PortalApp
{
    public KestrelDoorApp()
        : base(DatabaseProvider.Sqlite)
    {
        UseKestrel(0);
        StartServer();
    }

    public Uri Address => new(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    /// <summary>Sends one HTTP/1.1 request exactly as written and returns the status and the response headers.</summary>
    public async Task<RawResponse> SendRawAsync(string method, string target, params (string Name, string Value)[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Address.Host, Address.Port);
        await using var stream = client.GetStream();
        var request = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {Address.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append($"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var text = await reader.ReadToEndAsync();
        var lines = text.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var parsed = lines.Skip(1).TakeWhile(l => l.Length > 0)
            .Select(l => l.Split(':', 2))
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new RawResponse(status, parsed);
    }
}

/// <summary>A raw response's status and headers (first value of each).</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
