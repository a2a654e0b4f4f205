using System.Net;
using System.Text.RegularExpressions;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Smoke;

/// <summary>The harness itself: later flows read the server's log and call its API through it.</summary>
[Collection(PortalCollection.Name)]
public sealed class PortalServerTests(PortalServer server)
{
    [Fact]
    public async Task WaitForLogLine_StartedServer_FindsLoggedAddress()
    {
        var match = await server.WaitForLogLineAsync(new Regex(@"^info: Microsoft\.Hosting\.Lifetime\[\d+\] Now listening on: (?<url>\S+)$"));

        Assert.Equal(server.BaseAddress, new Uri(match.Groups["url"].Value + "/"));
    }

    [Fact]
    public async Task CreateClient_LiveProbe_ReturnsOk()
    {
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
