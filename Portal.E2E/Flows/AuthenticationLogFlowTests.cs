using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// A developer's key is used through their API's gateway door; the developer then finds every decision in
/// the authentication log (and its CSV export) and sees the key's usage chart move.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AuthenticationLogFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    [Fact]
    public async Task CheckedKey_ShowsInLogExportAndUsageChart()
    {
        var email = $"log-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(Page).RegisterAsync(email, "correct-horse-battery-staple");
        var token = await new KeysPage(Page).CreateKeyAsync("gateway client", "orders:read");
        Assert.Equal("127.0.0.1", await AuditedClientIpAsync("gateway client"));
        var apiId = await new ApisPage(Page).RegisterAsync("shop api", "live and test");

        using var gateway = Server.CreateClient();
        foreach (var (scope, expected) in new[] { ("orders:read", HttpStatusCode.OK), ("orders:read", HttpStatusCode.OK), ("orders:write", HttpStatusCode.Forbidden) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId, scope));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("X-Original-Method", "GET");
            request.Headers.Add("X-Original-URI", "/orders/42");
            Assert.Equal(expected, (await gateway.SendAsync(request)).StatusCode);
        }

        // The log is written in batches: reload until the denial is there.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Authentication log" }).ClickAsync();
        await Page.GetByRole(AriaRole.Heading, new() { Name = "Authentication log" }).WaitForAsync();
        var logUrl = Page.Url;
        await UntilAsync(async () =>
        {
            await Page.GotoAsync(logUrl);
            return await AppearsAsync(Page.GetByText("INSUFFICIENT_SCOPE"));
        });
        Assert.Equal(2, await Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "VALID" }).Filter(new() { HasNotText = "INSUFFICIENT" }).CountAsync());
        await Page.GetByText("/orders/42").First.WaitForAsync();
        await ScreenshotAsync("authentication log");

        var csv = await Page.APIRequest.GetAsync(logUrl.Replace("/logs", "/logs.csv", StringComparison.Ordinal));
        var text = await csv.TextAsync();
        Assert.True(csv.Ok);
        Assert.StartsWith("occurred_at,key_id,key_hint,code", text);
        Assert.Contains("INSUFFICIENT_SCOPE", text);
        Assert.DoesNotContain(token, text);

        // Usage counts are flushed every few seconds; refresh the chart until they arrive.
        await Page.GotoAsync(logUrl.Replace("/logs", "/keys", StringComparison.Ordinal));
        await new KeysPage(Page).OpenAsync("gateway client");
        var refresh = Page.GetByRole(AriaRole.Button, new() { Name = "Refresh usage" });
        await UntilAsync(async () =>
        {
            await refresh.ClickAsync();
            return await AppearsAsync(Page.GetByText("2 allowed, 1 denied"));
        });
        await Page.GetByRole(AriaRole.Cell, new() { Name = "INSUFFICIENT_SCOPE", Exact = true }).WaitForAsync();
        await ScreenshotAsync("usage chart");
    }

    /// <summary>The client IP the audit trail recorded for the creation of a key in the portal.</summary>
    private async Task<string?> AuditedClientIpAsync(string keyName)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Server.DataDirectory, "portal.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ClientIp FROM AuditRecords WHERE Action = 'key.created' AND TargetName = $name AND Channel = 'portal'";
        command.Parameters.AddWithValue("$name", keyName);
        return await command.ExecuteScalarAsync() as string;
    }

    // The grid and the chart load after the page becomes interactive: give each try a moment.
    private static async Task<bool> AppearsAsync(ILocator locator)
    {
        try
        {
            await locator.First.WaitForAsync(new() { Timeout = 3_000 });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 20; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail("The page never showed what was expected.");
    }
}
