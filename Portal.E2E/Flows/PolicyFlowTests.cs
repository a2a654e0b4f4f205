using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// An admin sets the organization's key policies (an out-of-range value is refused with a message
/// first); a developer of the organization is then refused a live key, with the policy's words.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PolicyFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    private const string Password = "correct-horse-battery-staple";

    private readonly BrowserFixture _browser = browser;

    [Fact]
    public async Task AdminSetsPolicy_DeveloperLiveKeyIsRefusedWithMessage()
    {
        var admin = Page;
        var organization = $"Policy org {Guid.NewGuid():N}"[..22];
        var developerEmail = $"policy-dev-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(admin).RegisterAsync($"policy-admin-{Guid.NewGuid():N}@example.com", Password);
        await new OrganizationsPage(admin).CreateAsync(organization);
        var invitation = await new MembersPage(admin).InviteAsync(developerEmail);
        await TokenDialog.CloseAsync(admin, "Done");

        var policies = new PoliciesPage(admin);
        await policies.OpenAsync(organization);
        await policies.SetMaxLifetimeAsync("0");
        await policies.SaveAsync();
        await admin.GetByText("The maximum key lifetime must be between 1 and 3650 days").First.WaitForAsync();
        await ScreenshotAsync("out of range refused");
        await policies.SetMaxLifetimeAsync("30");
        await policies.LetOnlyAdminsCreateLiveKeysAsync();
        await policies.SaveAsync();
        await admin.GetByText("The policies were saved.").WaitForAsync();
        await ScreenshotAsync("policies saved");
        await admin.ReloadAsync();
        await Assertions.Expect(admin.GetByLabel("Maximum key lifetime (days)")).ToHaveValueAsync("30");
        await Assertions.Expect(admin.GetByText("Admins and owners only")).ToBeVisibleAsync();

        await using var developerContext = await _browser.NewContextAsync(Server.BaseAddress);
        var developer = await developerContext.NewPageAsync();
        var developerShots = new StepScreenshots(nameof(PolicyFlowTests), "developer");
        await new RegisterPage(developer).RegisterAsync(developerEmail, Password);
        await developer.GotoAsync(invitation);
        await developer.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" }).ClickUntilAsync(developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }));
        await developer.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickUntilAsync(developer.GetByRole(AriaRole.Dialog));
        var dialog = developer.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("production service");
        await dialog.GetByLabel("Live").CheckAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true })
            .ClickUntilAsync(dialog.GetByText("lets only admins create live keys", new() { Exact = false }).First);
        await dialog.GetByText("requires keys to expire within 30 days", new() { Exact = false }).First.WaitForAsync();
        await developerShots.SaveAsync(developer, "live key refused");
        Assert.Equal(0, await developer.GetByTestId("revealed-secret").CountAsync());
    }
}
