using System.Net.Http.Headers;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// Every routable page of the portal, as the people who see it (a stranger, the platform
/// administrator who owns an organization, a developer invited into it), at desktop (1280×800)
/// and phone (390×844) width: axe-core finds no serious or critical WCAG 2.2 AA violation on
/// any, and a screenshot of each at both widths is kept. The server is this class's own, so its
/// setup page is unused when the tour starts.
/// </summary>
public sealed partial class AccessibilityTests(PortalServer server, BrowserFixture browser)
    : PortalBrowserTest(server, browser), IClassFixture<PortalServer>, IClassFixture<BrowserFixture>
{
    private const string Password = "correct-horse-battery-staple";

    private static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private readonly BrowserFixture _browser = browser;
    private readonly List<string> _violations = [];
    private readonly HashSet<string> _visited = [];

    /// <summary>Every <c>@page</c> route of the portal's components, as written in the directives.</summary>
    public static IReadOnlySet<string> PortalRoutes { get; } = typeof(Portal.Components.ProductInfo).Assembly.GetTypes()
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
        .Select(r => r.Template)
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task EveryPage_EachRole_DesktopAndPhone_HasNoSeriousViolation()
    {
        await using var strangerContext = await _browser.NewContextAsync(Server.BaseAddress);
        await using var developerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var stranger = new Tour(await strangerContext.NewPageAsync(), "stranger", this);
        var admin = new Tour(Page, "admin", this);
        var developer = new Tour(await developerContext.NewPageAsync(), "developer", this);

        // A stranger: first-start setup, sign-in and sign-up, and the pages anyone may reach.
        var setupLink = (await Server.WaitForLogLineAsync(SetupLink())).Value;
        await stranger.VisitAsync("/setup/{Token}", new Uri(setupLink).PathAndQuery, "Create the platform administrator");
        await stranger.VisitAsync("/", "/");
        await stranger.VisitAsync("/account/login", "/account/login");
        await stranger.VisitAsync("/account/register", "/account/register");
        await stranger.VisitAsync("/account/lockout", "/account/lockout");
        await stranger.VisitAsync("/account/access-denied", "/account/access-denied");
        // The mail pages: a confirmation link with a code that does not verify, and the resend form.
        await stranger.VisitAsync("/account/confirm-email", $"/account/confirm-email?userId={Guid.NewGuid()}&code=not-a-code", "Confirm your email address");
        await stranger.VisitAsync("/account/resend-confirmation", "/account/resend-confirmation", "Send the confirmation link again");
        await stranger.VisitAsync("/not-found", "/not-found");

        // The platform administrator's organization, with something on every page.
        await new SetupPage(admin.Page).CreateAdministratorAsync(setupLink, "admin@example.com", Password);
        await new OrganizationsPage(admin.Page).CreateAsync("Acme");
        var org = OrganizationIdOf(admin.Page.Url);
        await admin.CheckAsync("/orgs/{OrganizationId:guid}/members", "members of a new organization");
        var invitation = await new MembersPage(admin.Page).InviteAsync("dev@example.com");
        await admin.CheckAsync(null, "invitation link dialog");
        await TokenDialog.CloseAsync(admin.Page, "Done");

        await admin.VisitAsync("/orgs/{OrganizationId:guid}/keys", $"/orgs/{org}/keys", "Create key");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(admin.Page.GetByRole(AriaRole.Dialog));
        await admin.CheckAsync(null, "create key dialog");
        var dialog = admin.Page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("deploy bot");
        await dialog.GetByLabel("Scope", new() { Exact = true }).FillAsync("orders:read");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Add scope" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        var token = await TokenDialog.ReadAsync(admin.Page);
        await admin.CheckAsync(null, "token shown once");
        await TokenDialog.CloseAsync(admin.Page);
        await admin.CheckAsync(null, "keys with a success message");
        await new KeysPage(admin.Page).OpenAsync("deploy bot");
        await new KeyDetailPage(admin.Page).RotateAsync();
        await TokenDialog.CloseAsync(admin.Page);
        await admin.Page.GetByText("grace period", new() { Exact = false }).First.WaitForAsync();
        await admin.CheckAsync("/orgs/{OrganizationId:guid}/keys/{KeyId:guid}", "key in its grace period");

        var resources = new ResourcesPage(admin.Page);
        await resources.OpenAsync(org);
        await resources.AddAsync("orders", "refund");
        await admin.CheckAsync("/orgs/{OrganizationId:guid}/access/resources", "resources");

        var apiId = await new ApisPage(admin.Page).RegisterAsync("shop api", "live and test");
        var apiPage = admin.Page.Url;
        await new EndpointRulesPage(admin.Page).AddAsync("GET", "/orders/{id}", "orders:read");
        await admin.CheckAsync("/orgs/{OrganizationId:guid}/apis/{ApiId:guid}", "api with a rule");
        await admin.VisitAsync("/orgs/{OrganizationId:guid}/apis", $"/orgs/{org}/apis", "shop api");
        await CallGatewayAsync(apiId, token);
        await admin.VisitAsync("/orgs/{OrganizationId:guid}/access/sets", $"/orgs/{org}/access/sets", "Permission sets");
        var sets = new PermissionSetPages(admin.Page);
        await sets.BuildAsync("order readers", "orders:read");
        await admin.CheckAsync("/orgs/{OrganizationId:guid}/access/sets/new", "new permission set");
        await sets.CreateAsync("order readers");
        await admin.CheckAsync("/orgs/{OrganizationId:guid}/access/sets/{SetId:guid}", "permission set");
        await admin.Page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await admin.Page.GetByRole(AriaRole.Heading, new() { Name = "Edit order readers" }).WaitForAsync();
        await admin.CheckAsync("/orgs/{OrganizationId:guid}/access/sets/{SetId:guid}/edit", "edit permission set");

        await admin.VisitAsync("/orgs/{OrganizationId:guid}/policies", $"/orgs/{org}/policies", "Policies of Acme");
        await admin.VisitAsync("/orgs/{OrganizationId:guid}/members", $"/orgs/{org}/members", "Members of Acme");
        await admin.VisitAsync("/orgs/{OrganizationId:guid}/logs", $"/orgs/{org}/logs", "INSUFFICIENT_SCOPE", waitLonger: true);
        await admin.VisitAsync("/orgs/{OrganizationId:guid}/usage", $"/orgs/{org}/usage", " denied");
        await admin.VisitAsync("/orgs/{OrganizationId:guid}/audit", $"/orgs/{org}/audit", "key.created");
        await admin.VisitAsync("/orgs/{OrganizationId:guid}/blocks", $"/orgs/{org}/blocks");
        await admin.VisitAsync("/orgs", "/orgs", "Acme");
        await admin.VisitAsync("/platform/settings", "/platform/settings", "Registration");
        await admin.VisitAsync("/platform/usage", "/platform/usage");
        await admin.VisitAsync("/keys/report-leak", "/keys/report-leak", "Report");
        await admin.VisitAsync("/account/manage", "/account/manage", "Change password");
        await admin.VisitAsync("/", "/");
        await admin.VisitAsync("/not-found", "/not-found");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Notifications" }).ClickUntilAsync(admin.Page.GetByRole(AriaRole.Menu));
        await admin.CheckAsync(null, "notifications menu");

        // The developer: the invitation, the organization's pages as a developer, and two-factor sign-in.
        await new RegisterPage(developer.Page).RegisterAsync("dev@example.com", Password);
        await developer.VisitAsync("/invitations/{Token}", new Uri(invitation).PathAndQuery, "Accept invitation");
        await developer.Page.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" })
            .ClickUntilAsync(developer.Page.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await developer.CheckAsync("/orgs/{OrganizationId:guid}/keys", "keys as a developer");
        // The organization has a catalog now: a developer's key takes the admin's permission set.
        await developer.Page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(developer.Page.GetByRole(AriaRole.Dialog));
        await developer.Page.GetByRole(AriaRole.Dialog).GetByLabel("Name").FillAsync("dev worker");
        await Select.ChooseAsync(developer.Page, "Permission sets", "order readers");
        await developer.CheckAsync(null, "create key with a permission set");
        await developer.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await TokenDialog.ReadAsync(developer.Page);
        await TokenDialog.CloseAsync(developer.Page);
        await new KeysPage(developer.Page).OpenAsync("dev worker");
        await developer.CheckAsync("/orgs/{OrganizationId:guid}/keys/{KeyId:guid}", "own key as a developer");
        await developer.VisitAsync("/orgs/{OrganizationId:guid}/apis/{ApiId:guid}", new Uri(apiPage).PathAndQuery, "shop api");
        await developer.VisitAsync("/orgs/{OrganizationId:guid}/members", $"/orgs/{org}/members", "Members of Acme");
        await developer.VisitAsync("/orgs/{OrganizationId:guid}/logs", $"/orgs/{org}/logs");
        await developer.VisitAsync("/orgs/{OrganizationId:guid}/usage", $"/orgs/{org}/usage", "Requests over time");

        await developer.Page.GotoAsync("/account/manage/two-factor");
        var secret = await developer.Page.GetByLabel("Authenticator key").InnerTextAsync();
        await developer.CheckAsync("/account/manage/two-factor", "two-factor setup");
        await developer.Page.GetByLabel("Verification code").FillAsync(Totp.Code(secret));
        await developer.Page.GetByLabel("Your password").FillAsync(Password);
        await developer.Page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await developer.Page.GetByLabel("Recovery codes").WaitForAsync();
        await developer.CheckAsync(null, "recovery codes");
        await developerContext.ClearCookiesAsync();
        await new LoginPage(developer.Page).SignInAsync("dev@example.com", Password);
        await developer.Page.WaitForURLAsync("**/account/login-2fa**");
        await developer.CheckAsync("/account/login-2fa", "authenticator code");
        await developer.VisitAsync("/account/login-recovery", "/account/login-recovery", "Sign in with a recovery code");

        var unvisited = PortalRoutes.Except(_visited).Order(StringComparer.Ordinal).ToList();
        Assert.True(unvisited.Count == 0, "The tour visits no page at: " + string.Join(", ", unvisited));
        Assert.True(_violations.Count == 0, string.Join("\n", _violations));
    }

    // Two checks through the API's gateway door, one allowed and one refused, fill the log and the usage charts.
    private async Task CallGatewayAsync(string apiId, string token)
    {
        using var gateway = Server.CreateClient();
        foreach (var scope in new[] { "orders:read", "orders:write" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId, scope));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await gateway.SendAsync(request);
        }
    }

    private static string OrganizationIdOf(string url) => Regex.Match(url, "/orgs/([0-9a-f-]{36})").Groups[1].Value;

    [GeneratedRegex(@"http://\S+/setup/[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();

    /// <summary>One person's browser on the tour: visits pages, checks them at both widths, keeps the screenshots.</summary>
    private sealed class Tour(IPage page, string role, AccessibilityTests test)
    {
        private readonly StepScreenshots _screenshots = new(nameof(AccessibilityTests), role);

        public IPage Page => page;

        /// <summary>Loads <paramref name="path"/>, waits for <paramref name="shows"/> (when given) and checks the page.</summary>
        public async Task VisitAsync(string route, string path, string? shows = null, bool waitLonger = false)
        {
            await page.GotoAsync(path);
            if (shows is not null)
            {
                // The authentication log is written in batches: a row appears within a few seconds.
                var text = page.GetByText(shows, new() { Exact = false }).First;
                await text.WaitForAsync(new() { Timeout = waitLonger ? 30_000 : 10_000 });
            }

            await CheckAsync(route, path);
        }

        /// <summary>Checks the page as it is at desktop width and at phone width, then returns to desktop.</summary>
        public async Task CheckAsync(string? route, string step)
        {
            if (route is not null)
            {
                test._visited.Add(route);
            }

            foreach (var (width, size) in new[] { ("desktop", Desktop), ("phone", Phone) })
            {
                if (page.ViewportSize?.Width != size.Width)
                {
                    await page.SetViewportSizeAsync(size.Width, size.Height);
                    // MudBlazor's breakpoint listener re-renders the layout over the circuit after a resize.
                    await page.WaitForTimeoutAsync(250);
                }

                var name = $"{step} {width}";
                await _screenshots.SaveAsync(page, name, check: false);
                foreach (var violation in await AxeCheck.FindAsync(page))
                {
                    var line = $"[{role}, {name}, {page.Url}] {violation}";
                    test._violations.Add(line);
                    // Kept beside the screenshots, so a tour stopped early still shows what it found.
                    await File.AppendAllTextAsync(Path.Combine(_screenshots.Folder, "violations.txt"), line + "\n");
                }
            }

            await page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
            await page.WaitForTimeoutAsync(250);
        }
    }
}
