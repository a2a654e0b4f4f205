using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

public static class Interactive
{
    /// <summary>
    /// Clicks until <paramref name="appears"/> shows. A prerendered page shows its buttons before the
    /// Blazor circuit is connected, and a click in that moment does nothing.
    /// </summary>
    public static async Task ClickUntilAsync(this ILocator button, ILocator appears, int attempts = 20)
    {
        for (var i = 0; i < attempts; i++)
        {
            // On a busy machine it may appear just after the last wait; a dialog that repeats the
            // button's name must not be clicked into.
            if (i > 0 && await appears.First.IsVisibleAsync())
            {
                return;
            }

            await button.ClickAsync();
            try
            {
                await appears.WaitForAsync(new() { Timeout = 1_500 });
                return;
            }
            catch (TimeoutException)
            {
            }
        }

        await appears.WaitForAsync();
    }
}
