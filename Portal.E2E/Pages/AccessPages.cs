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

/// <summary>The organization's endpoint rules.</summary>
public sealed class EndpointRulesPage(IPage page)
{
    public async Task AddAsync(string method, string pathTemplate, string scope)
    {
        await Select.ChooseAsync(page, "Method", method);
        await page.GetByLabel("Path template").FillAsync(pathTemplate);
        await Select.ChooseAsync(page, "Required scope", scope);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = pathTemplate }).Filter(new() { HasText = scope }).WaitForAsync();
    }
}

/// <summary>The permission set list, builder and page.</summary>
public sealed class PermissionSetPages(IPage page)
{
    /// <summary>Builds a set by checking cells of the resources-by-actions grid, and waits for its page.</summary>
    public async Task CreateAsync(string name, params string[] scopes)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "New permission set" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "New permission set" }).WaitForAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        foreach (var scope in scopes)
        {
            await page.GetByRole(AriaRole.Checkbox, new() { Name = scope, Exact = true }).CheckAsync();
            await page.GetByLabel($"Grant {scope}").WaitForAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Create permission set" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = name }).WaitForAsync();
    }
}

/// <summary>MudBlazor's select: a click opens a list of options in a popover.</summary>
public static class Select
{
    public static async Task ChooseAsync(IPage page, string label, params string[] options)
    {
        await page.GetByLabel(label, new() { Exact = true }).ClickUntilAsync(page.GetByRole(AriaRole.Option).First);
        foreach (var option in options)
        {
            await page.GetByRole(AriaRole.Option).Filter(new() { HasText = option }).First.ClickAsync();
        }

        if (options.Length > 1 || await page.GetByRole(AriaRole.Option).First.IsVisibleAsync())
        {
            // A multi-select stays open: close it as a person would.
            await page.Keyboard.PressAsync("Escape");
        }
    }
}
