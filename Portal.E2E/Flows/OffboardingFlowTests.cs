using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// An admin removes a developer from the organization in the portal: the confirmation names the
/// developer's key before anything happens, the page then lists it as revoked, and the API's
/// gateway door refuses the key on its very next request.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class OffboardingFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    private const string Password = "correct-horse-battery-staple";

    private readonly BrowserFixture _browser = browser;

    [Fact]
    public async Task AdminRemovesDeveloper_KeyListedAsRevoked_GatewayRefusesItOnNextRequest()
    {
        var admin = Page;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var developerEmail = $"offboard-dev-{suffix}@example.com";
        var organizationName = $"Offboard {suffix}";

        await new RegisterPage(admin).RegisterAsync($"offboard-admin-{suffix}@example.com", Password);
        await new OrganizationsPage(admin).CreateAsync(organizationName);
        var membersUrl = admin.Url;
        var link = await new MembersPage(admin).InviteAsync(developerEmail);
        await TokenDialog.CloseAsync(admin, "Done");
        var apiId = await new ApisPage(admin).RegisterAsync("orders api", "live and test");

        // The developer joins and creates a key in the organization; the gateway lets it through.
        await using var developerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var developer = await developerContext.NewPageAsync();
        await new RegisterPage(developer).RegisterAsync(developerEmail, Password);
        await developer.GotoAsync(link);
        await developer.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" })
            .ClickUntilAsync(developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        var token = await new KeysPage(developer).CreateKeyAsync("orders worker", "orders:read");
        using (var allowed = await CheckAsync(apiId, token))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // The admin removes the developer: the dialog says which key will be revoked before the confirmation.
        await admin.GotoAsync(membersUrl);
        var row = admin.GetByRole(AriaRole.Row).Filter(new() { HasText = developerEmail });
        var dialog = admin.GetByRole(AriaRole.Dialog);
        await row.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickUntilAsync(dialog);
        await dialog.GetByText("1 key in this organization will be revoked at once", new() { Exact = false }).WaitForAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.List, new() { Name = "Keys revoked" })).ToContainTextAsync("orders worker");
        Assert.Equal(0, await dialog.GetByText("stay in the organization", new() { Exact = false }).CountAsync());
        await ScreenshotAsync("removal dialog names the key");
        await dialog.GetByRole(AriaRole.Button, new() { Name = $"Remove {developerEmail}" }).ClickAsync();

        var summary = admin.GetByTestId("member-change-summary");
        await summary.GetByText($"{developerEmail} was removed", new() { Exact = false }).WaitForAsync();
        await Assertions.Expect(summary.GetByRole(AriaRole.List, new() { Name = "Keys revoked" })).ToContainTextAsync("orders worker");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await ScreenshotAsync("summary lists the revoked key");

        using var refused = await CheckAsync(apiId, token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("REVOKED", string.Join(",", refused.Headers.GetValues("X-Auth-Code")));
    }

    // From loopback, a trusted proxy by default: the door believes the original method and URI.
    private async Task<HttpResponseMessage> CheckAsync(string apiId, string token)
    {
        using var gateway = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId, "orders:read"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Original-Method", "GET");
        request.Headers.Add("X-Original-URI", "/orders/7");
        return await gateway.SendAsync(request);
    }
}
