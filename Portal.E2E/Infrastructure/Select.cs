using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>MudBlazor's select: a click opens a list of options in a popover.</summary>
public static class Select
{
    /// <summary>
    /// Chooses the options and waits until the select shows each of them. MudBlazor closes the list
    /// before it sets the value, with a round trip to the browser in between, so a form submitted
    /// the moment the list closes would still read the old value.
    /// </summary>
    public static async Task ChooseAsync(IPage page, string label, params string[] options)
    {
        var select = page.GetByLabel(label, new() { Exact = true });
        await select.ClickUntilAsync(page.GetByRole(AriaRole.Option).First);
        foreach (var option in options)
        {
            await page.GetByRole(AriaRole.Option).Filter(new() { HasText = option }).First.ClickAsync();
            await WaitUntilShownAsync(select, option);
        }

        if (await page.GetByRole(AriaRole.Option).First.IsVisibleAsync())
        {
            // A multi-select stays open: close it as a person would.
            await page.Keyboard.PressAsync("Escape");
        }
    }

    /// <summary>
    /// The combobox is a read-only input (its value lists the choices) or, for a single select with
    /// a choice, an element whose text is the choice; it can change from one to the other, so each
    /// look finds it afresh.
    /// </summary>
    public static async Task WaitUntilShownAsync(ILocator select, string option)
    {
        const string shown = "e => e.tagName === 'INPUT' ? e.value : e.textContent";
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if ((await select.EvaluateAsync<string?>(shown))?.Contains(option, StringComparison.Ordinal) == true)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The select '{await select.GetAttributeAsync("aria-label")}' does not show '{option}'.");
    }
}
