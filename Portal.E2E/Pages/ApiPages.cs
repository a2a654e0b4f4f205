using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Pages;

/// <summary>The organization's APIs: the list with its register form, and an API's page.</summary>
public sealed class ApisPage(IPage page)
{
    public async Task OpenFromMenuAsync()
    {
        // Clicked again if the page has not changed: right after sign-up the keys page may still be
        // settling (its circuit starting), and a click in that moment can be lost.
        await page.GetByRole(AriaRole.Link, new() { Name = "APIs", Exact = true })
            .ClickUntilAsync(page.GetByRole(AriaRole.Heading, new() { Name = "APIs", Exact = true }));
    }

    /// <summary>
    /// Registers an API from the list, accepting keys of <paramref name="accepts"/> ("live only",
    /// "test only", "live and test"), and returns its id (<c>api_…</c>) as its page shows it.
    /// </summary>
    public async Task<string> RegisterAsync(string name, string accepts)
    {
        await OpenFromMenuAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Select.ChooseAsync(page, "Accepts keys of", accepts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true }).WaitForAsync();
        return (await page.GetByTestId("api-id").InnerTextAsync()).Trim();
    }
}

/// <summary>An API's endpoint rules, on its page.</summary>
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

/// <summary>The gateway door's header form, as nginx or Traefik on the same host calls it (loopback is a trusted proxy by default).</summary>
public static class GatewayDoor
{
    /// <summary>The check URL of an API, with the scope the gateway's configuration names, if any.</summary>
    public static string CheckUrl(string apiId, string? scope = null) =>
        $"/api/v1/auth/check/{apiId}" + (scope is null ? "" : $"?scope={Uri.EscapeDataString(scope)}");
}
