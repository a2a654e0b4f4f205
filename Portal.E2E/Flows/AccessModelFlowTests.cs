using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// An admin describes the organization's API (a catalog resource, the API with its endpoint rules,
/// a permission set); a developer they invited creates a key with the set; the API's gateway door
/// then allows the key on the endpoint the set covers and refuses it on another.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AccessModelFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    private const string Password = "correct-horse-battery-staple";

    private readonly BrowserFixture _browser = browser;

    [Fact]
    public async Task AdminBuildsPermissionSet_DeveloperKeyAllowedOnOneEndpointRefusedOnAnother()
    {
        var admin = Page;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var adminEmail = $"access-admin-{suffix}@example.com";
        var developerEmail = $"access-dev-{suffix}@example.com";
        var organizationName = $"Shop {suffix}";

        await using var developerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var developer = await developerContext.NewPageAsync();
        var developerShots = new StepScreenshots(nameof(AccessModelFlowTests), "developer");
        await new RegisterPage(developer).RegisterAsync(developerEmail, Password);

        // The admin's organization, with the developer invited into it.
        await new RegisterPage(admin).RegisterAsync(adminEmail, Password);
        await new OrganizationsPage(admin).CreateAsync(organizationName);
        var organizationId = OrganizationIdOf(admin.Url);
        var link = await new MembersPage(admin).InviteAsync(developerEmail);
        await ScreenshotAsync("developer invited");
        await TokenDialog.CloseAsync(admin, "Done");

        // The catalog, the rules and a set that reads orders but may not refund them.
        var resources = new ResourcesPage(admin);
        await resources.OpenAsync(organizationId);
        await resources.AddAsync("orders", "refund");
        await ScreenshotAsync("resource catalog");

        // The developers' keys are test keys: the API accepts them besides live ones.
        var apiId = await new ApisPage(admin).RegisterAsync("shop api", "live and test");
        await admin.GetByRole(AriaRole.Heading, new() { Name = "Endpoint rules" }).WaitForAsync();
        var rules = new EndpointRulesPage(admin);
        await rules.AddAsync("GET", "/orders/{id}", "orders:read");
        await rules.AddAsync("POST", "/orders/{id}/refund", "orders:refund");
        await admin.GetByText("Off (recommended)").WaitForAsync();
        await ScreenshotAsync("endpoint rules");

        await admin.GetByRole(AriaRole.Link, new() { Name = "Permission sets" }).ClickAsync();
        await admin.GetByRole(AriaRole.Heading, new() { Name = "Permission sets" }).WaitForAsync();
        var sets = new PermissionSetPages(admin);
        await sets.BuildAsync("order readers", "orders:read");
        await sets.LimitAsync("orders:read", "order/eu-*, order/uk-*");
        await ScreenshotAsync("permission set builder");
        await sets.CreateAsync("order readers");
        await admin.GetByRole(AriaRole.Cell, new() { Name = "order/eu-*, order/uk-*" }).WaitForAsync();
        await ScreenshotAsync("permission set");

        // The developer joins and creates a key that uses the set, and nothing else.
        await developer.GotoAsync(link);
        await developer.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" })
            .ClickUntilAsync(developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(developer.GetByRole(AriaRole.Dialog));
        var dialog = developer.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("order reader");
        await Select.ChooseAsync(developer, "Permission sets", "order readers");
        await developerShots.SaveAsync(developer, "create key with a permission set");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        var token = await TokenDialog.ReadAsync(developer);
        await TokenDialog.CloseAsync(developer);

        // The API's gateway door: the rules name the scope, the set grants only one of them.
        Assert.Equal(HttpStatusCode.OK, await CheckAsync(apiId, token, "GET", "/orders/42"));
        Assert.Equal(HttpStatusCode.Forbidden, await CheckAsync(apiId, token, "POST", "/orders/42/refund"));
        Assert.Equal(HttpStatusCode.Forbidden, await CheckAsync(apiId, token, "GET", "/customers/7"));

        // The key page explains the same decisions.
        await new KeysPage(developer).OpenAsync("order reader");
        await developer.GetByRole(AriaRole.Cell, new() { Name = "set order readers v1" }).WaitForAsync();
        await developer.GetByLabel("Path", new() { Exact = true }).FillAsync("/orders/42");
        await developer.GetByRole(AriaRole.Button, new() { Name = "Test", Exact = true }).ClickAsync();
        var result = developer.GetByRole(AriaRole.Status, new() { Name = "Test result" });
        await result.GetByText("Endpoint rule GET /orders/{id} requires orders:read.").WaitForAsync();
        Assert.Contains("Allowed", await result.InnerTextAsync());
        Assert.Contains("set order readers v1", await result.InnerTextAsync());
        await developerShots.SaveAsync(developer, "test access");

        // The developer adds a direct scope from the catalog; admin actions are offered but disabled.
        await developer.GetByRole(AriaRole.Button, new() { Name = "Change permissions" }).ClickAsync();
        await developer.GetByLabel("Scopes", new() { Exact = true }).ClickUntilAsync(developer.GetByRole(AriaRole.Option).First);
        var adminOption = developer.GetByRole(AriaRole.Option).Filter(new() { HasText = "orders:admin (admins only)" });
        Assert.Contains("disabled", await adminOption.EvaluateAsync<string>("e => e.className + ' ' + (e.getAttribute('aria-disabled') === 'true' ? 'disabled' : '')"));
        await developer.GetByRole(AriaRole.Option).Filter(new() { HasText = "orders:write" }).ClickAsync();
        await Select.WaitUntilShownAsync(developer.GetByLabel("Scopes", new() { Exact = true }), "orders:write");
        await developer.Keyboard.PressAsync("Escape");
        await developerShots.SaveAsync(developer, "change permissions");
        await developer.GetByRole(AriaRole.Button, new() { Name = "Save permissions" }).ClickAsync();
        await developer.GetByRole(AriaRole.Row).Filter(new() { HasText = "orders:write" })
            .Filter(new() { Has = developer.GetByRole(AriaRole.Cell, new() { Name = "direct", Exact = true }) }).WaitForAsync();

        // A set in use cannot be deleted; editing it reaches the key at once, and the versions show what changed.
        await sets.DeleteAsync("order readers");
        await admin.GetByRole(AriaRole.Alert).GetByText("is used by 1 key(s)").WaitForAsync();
        await sets.AddGrantsAsync("order readers", 2, "orders:refund");
        Assert.Equal(HttpStatusCode.OK, await CheckAsync(apiId, token, "POST", "/orders/42/refund"));
        await sets.CompareAsync(1, 2);
        await admin.GetByText("Added (1)").WaitForAsync();
        await admin.GetByText("Removed (0)").WaitForAsync();
        await ScreenshotAsync("versions compared");

        // Export, then import: the same name is refused with a message; a renamed copy becomes a new set.
        var export = await admin.APIRequest.GetAsync($"/orgs/{organizationId}/access/sets/{SetIdOf(admin.Url)}/export.json");
        Assert.True(export.Ok);
        var json = await export.TextAsync();
        Assert.Contains("orders:refund", json);
        var file = Path.Combine(Path.GetTempPath(), $"permission-set-{suffix}.json");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Permission sets" }).First.ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Import JSON" }).WaitForAsync();
        try
        {
            await File.WriteAllTextAsync(file, json);
            await sets.ImportAsync(file);
            await admin.GetByRole(AriaRole.Alert).GetByText("already has a permission set named 'order readers'").WaitForAsync();
            await ScreenshotAsync("import refused");
            await File.WriteAllTextAsync(file, json.Replace("\"order readers\"", "\"order refunds\"", StringComparison.Ordinal));
            await sets.ImportAsync(file);
            await admin.GetByRole(AriaRole.Heading, new() { Name = "order refunds" }).WaitForAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    // From loopback, a trusted proxy by default: the door believes the original method and URI.
    private async Task<HttpStatusCode> CheckAsync(string apiId, string token, string method, string path)
    {
        using var gateway = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Original-URI", path);
        request.Headers.Add("X-Original-Method", method);
        return (await gateway.SendAsync(request)).StatusCode;
    }

    private static string SetIdOf(string url) => new Uri(url).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];

    private static string OrganizationIdOf(string url)
    {
        var segments = new Uri(url).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments[Array.IndexOf(segments, "orgs") + 1];
    }
}
