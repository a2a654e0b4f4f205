using System.Net;
using System.Net.Http.Headers;

namespace Portal.Tests.Infrastructure;

public static class ClientAddresses
{
    /// <summary>A client whose requests reach the app from <paramref name="address"/>, sending <paramref name="token"/>.</summary>
    public static HttpClient ClientFrom(this PortalApp app, IPAddress address, string token)
    {
        var handler = app.Server.CreateHandler(context => context.Connection.RemoteIpAddress = address);
        var client = new HttpClient(handler) { BaseAddress = app.Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
