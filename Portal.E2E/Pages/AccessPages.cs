using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Pages;

/// <summary>The organization's resource catalog.</summary>
public sealed class ResourcesPage(IPage page)
{
    /// <summary>Opens the page by address (a full load), then waits until its buttons work.</summary>
    public async Task OpenAsync(string organizationId)
    {
        await page.GotoAsync($"/orgs/{organizationId}/access/resources");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Resources" }).WaitForAsync();
    }

    public async Task AddAsync(string name, params string[] customActions)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Add resource" }).ClickUntilAsync(page.GetByRole(AriaRole.Dialog));
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync(name);
        foreach (var action in customActions)
        {
            await dialog.GetByLabel("Custom action").FillAsync(action);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Add action" }).ClickAsync();
        }

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = name, Exact = true }).WaitForAsync();
    }
}

/// <summary>The permission set list, builder and page.</summary>
public sealed class PermissionSetPages(IPage page)
{
    /// <summary>Opens the builder for a new set, names it and checks cells of the resources-by-actions grid.</summary>
    public async Task BuildAsync(string name, params string[] scopes)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "New permission set" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "New permission set" }).WaitForAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        foreach (var scope in scopes)
        {
            await page.GetByRole(AriaRole.Checkbox, new() { Name = scope, Exact = true }).CheckAsync();
            await page.GetByLabel($"Grant {scope}").WaitForAsync();
        }
    }

    /// <summary>Limits a checked grant of the builder to resource patterns.</summary>
    public async Task LimitAsync(string scope, string patterns)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Conditions of {scope}" }).ClickAsync();
        var grant = page.GetByLabel($"Grant {scope}");
        await grant.GetByLabel("Resource patterns").FillAsync(patterns);
        await grant.GetByRole(AriaRole.Button, new() { Name = "Add pattern" }).ClickAsync();
    }

    /// <summary>Creates the set being built and waits for its page.</summary>
    public async Task CreateAsync(string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Create permission set" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = name }).WaitForAsync();
    }

    /// <summary>On a set's page: checks more cells in the builder and saves a new version.</summary>
    public async Task AddGrantsAsync(string name, int newVersion, params string[] scopes)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"Edit {name}" }).WaitForAsync();
        foreach (var scope in scopes)
        {
            await page.GetByRole(AriaRole.Checkbox, new() { Name = scope, Exact = true }).CheckAsync();
            await page.GetByLabel($"Grant {scope}").WaitForAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Save new version" }).ClickAsync();
        await page.GetByText($"v{newVersion}", new() { Exact = true }).First.WaitForAsync();
    }

    /// <summary>On a set's page: asks to delete it and confirms.</summary>
    public async Task DeleteAsync(string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" }).ClickAsync();
    }

    /// <summary>On a set's page: compares two versions and returns what the comparison shows.</summary>
    public async Task<ILocator> CompareAsync(int from, int to)
    {
        await Select.ChooseAsync(page, "Compare version", $"v{from}");
        await Select.ChooseAsync(page, "with version", $"v{to}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        var heading = page.GetByText($"From v{from} to v{to}");
        await heading.WaitForAsync();
        return heading;
    }

    /// <summary>On the list: imports an exported set from a file (the upload keeps a fresh input for each choice; the last is live).</summary>
    public Task ImportAsync(string path) => page.Locator("input[type=file]").Last.SetInputFilesAsync(path);
}
