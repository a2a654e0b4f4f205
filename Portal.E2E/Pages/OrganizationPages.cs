using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Pages;

public sealed class OrganizationsPage(IPage page)
{
    public async Task CreateAsync(string name)
    {
        await page.GotoAsync("/orgs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create organization" }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        await page.GetByRole(AriaRole.Dialog).GetByLabel("Name").FillAsync(name);
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        // The page changes inside the circuit (no document load): wait for what it shows. The switcher
        // (and the navigation links with it) follow once the new organization is loaded.
        await page.GetByRole(AriaRole.Heading, new() { Name = $"Members of {name}" }).WaitForAsync();
        await page.GetByRole(AriaRole.Banner).GetByRole(AriaRole.Button, new() { Name = name }).First.WaitForAsync();
    }
}

public sealed class MembersPage(IPage page)
{
    /// <summary>Invites with the default role (Developer) and returns the link shown to the admin; the dialog stays open.</summary>
    public async Task<string> InviteAsync(string email)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite member" }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Email").FillAsync(email);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        return await TokenDialog.ReadAsync(page);
    }

    /// <summary>Invites with the default role while mail is on: waits for the page to say the link was mailed.</summary>
    public async Task InviteByMailAsync(string email)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite member" }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Email").FillAsync(email);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        await page.GetByText($"Invitation sent to {email}.").WaitForAsync();
    }
}
