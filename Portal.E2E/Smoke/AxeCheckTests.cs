using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Smoke;

/// <summary>
/// The accessibility check itself: it runs with nothing but the portal reachable (axe-core's
/// script comes from the package), passes the home page, and catches what it must catch.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AxeCheckTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    [Fact]
    public async Task HomePage_Offline_NoSeriousViolation()
    {
        var outside = await BlockEverythingButThePortalAsync();
        await new HomePage(Page).OpenAsync();

        Assert.Empty(await AxeCheck.FindAsync(Page));
        Assert.Empty(outside);
    }

    [Fact]
    public async Task LowContrastText_IsReported_WithRuleImpactTargetAndHelp()
    {
        var home = await new HomePage(Page).OpenAsync();
        await home.Heading.WaitForAsync();

        // MudBlazor's default warning orange on white, the "shown only once" warning as it was (2.16:1).
        await Page.EvaluateAsync("""
            () => {
                const p = document.createElement('p');
                p.id = 'faint-warning';
                p.style.color = '#ff9800';
                p.style.background = '#ffffff';
                p.textContent = 'This token is shown only once.';
                document.querySelector('main, body').appendChild(p);
            }
            """);
        var found = await AxeCheck.FindAsync(Page);

        var line = Assert.Single(found, f => f.Contains("#faint-warning", StringComparison.Ordinal));
        Assert.StartsWith("color-contrast (serious) at #faint-warning", line, StringComparison.Ordinal);
        Assert.Contains("foreground color: #ff9800", line, StringComparison.Ordinal);
        Assert.Contains("https://dequeuniversity.com/rules/axe/", line, StringComparison.Ordinal);
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.FailException>(() => AxeCheck.AssertCleanAsync(Page, "faint warning"));
        Assert.Contains("step 'faint warning'", failure.Message, StringComparison.Ordinal);

        // The test's own end-of-test check must not fail on the element put there on purpose.
        await Page.EvaluateAsync("() => document.getElementById('faint-warning').remove()");
    }

    [Fact]
    public async Task UnnamedIconButton_IsReported()
    {
        await new HomePage(Page).OpenAsync();

        await Page.EvaluateAsync("""
            () => {
                const b = document.createElement('button');
                b.id = 'nameless';
                b.innerHTML = '<svg width="24" height="24" aria-hidden="true"><circle cx="12" cy="12" r="10"/></svg>';
                document.body.appendChild(b);
            }
            """);
        var found = await AxeCheck.FindAsync(Page);

        Assert.Contains(found, f => f.StartsWith("button-name (critical) at #nameless", StringComparison.Ordinal));
        await Page.EvaluateAsync("() => document.getElementById('nameless').remove()");
    }

    // Aborts every request to another host and returns their addresses.
    private async Task<List<string>> BlockEverythingButThePortalAsync()
    {
        var outside = new List<string>();
        await Context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (url.Scheme is "http" or "https" && url.Authority != Server.BaseAddress.Authority)
            {
                lock (outside)
                {
                    outside.Add(route.Request.Url);
                }

                await route.AbortAsync();
                return;
            }

            await route.ContinueAsync();
        });
        return outside;
    }
}
