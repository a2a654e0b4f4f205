using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Pages;

/// <summary>An organization's Policies page.</summary>
public sealed class PoliciesPage(IPage page)
{
    public async Task OpenAsync(string organizationName)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Policies" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"Policies of {organizationName}" }).WaitForAsync();
    }

    public Task SetMaxLifetimeAsync(string days) => page.GetByLabel("Maximum key lifetime (days)").FillAsync(days);

    public Task LetOnlyAdminsCreateLiveKeysAsync() => Select.ChooseAsync(page, "Who may create live keys", "Admins and owners only");

    public Task SaveAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Save policies" }).ClickAsync();
}
