using System.Runtime.CompilerServices;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Runs axe-core on the page as it is and fails on any violation of WCAG 2.2 level A or AA whose
/// impact is serious or critical.
/// </summary>
/// <remarks>
/// Where it runs, so that every page the suite visits is checked: at every step screenshot
/// (<see cref="StepScreenshots.SaveAsync"/>, which every test's <c>ScreenshotAsync</c> and every
/// second browser's screenshots go through), at the end of every browser test
/// (<see cref="PortalBrowserTest.DisposeAsync"/>), and on every routable page at desktop and
/// phone width in <c>AccessibilityTests</c>, whose route table fails when a page has no visit.
/// Steps are the moments a test has waited for what the page shows, so a page is never checked
/// half-rendered; a check after each navigation would catch pages still loading.
/// axe-core's script is embedded in the Deque.AxeCore.Commons assembly: nothing is downloaded.
/// </remarks>
public static class AxeCheck
{
    /// <summary>The rule tags run: WCAG 2.0, 2.1 and 2.2 at levels A and AA.</summary>
    public static readonly IReadOnlyList<string> Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    /// <summary>The impacts that fail a test; minor and moderate findings are left to review.</summary>
    public static readonly IReadOnlyList<string> FailingImpacts = ["serious", "critical"];

    // Pages that are not the portal's own markup: the API reference (Scalar's bundle) and the jobs
    // dashboard (Hangfire's). Their pages are checked for their security policy elsewhere.
    private static readonly string[] NotPortalPages = ["/api/docs", "/hangfire"];

    /// <summary>
    /// The serious and critical violations on the page, one line per rule and element (rule id,
    /// impact, target selector, help URL); empty when there are none or the page is not the portal's.
    /// </summary>
    public static async Task<IReadOnlyList<string>> FindAsync(IPage page)
    {
        if (page.IsClosed || !IsPortalPage(page.Url))
        {
            return [];
        }

        await SettleAsync(page);

        // The page a test ends on is often the one its last step showed: the same document, the
        // same width, the same markup. Checking it again would find the same, at a second's cost.
        var fingerprint = await FingerprintAsync(page);
        if (LastChecked.TryGetValue(page, out var last) && last.Fingerprint == fingerprint)
        {
            return last.Found;
        }

        var options = new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. Tags] },
        };
        var found = Describe(await page.RunAxe(OutsideSnackbars, options));
        if (found.Any(f => f.StartsWith("document-title ", StringComparison.Ordinal)))
        {
            // The circuit's head outlet empties the title for a moment when it connects, which can
            // fall between the wait for a title and the run: a page still untitled after a second
            // wait is reported.
            await SettleAsync(page);
            found = Describe(await page.RunAxe(OutsideSnackbars, options));
        }
        LastChecked.AddOrUpdate(page, new Checked(fingerprint, found));
        return found;
    }

    // Snackbars fade in and out, and one fading when a step is checked is drawn lighter than it is
    // read: their colours are checked where they are set, in PortalThemeTests (white on each fill
    // through the snackbar's opacity), and everything else on the page here.
    private static readonly AxeRunContext OutsideSnackbars = new() { Exclude = [new AxeSelector(".mud-snackbar")] };

    private sealed record Checked(string Fingerprint, IReadOnlyList<string> Found);

    private static readonly ConditionalWeakTable<IPage, Checked> LastChecked = [];

    // The address, the viewport's width and a hash of the whole markup.
    private static Task<string> FingerprintAsync(IPage page) => page.EvaluateAsync<string>("""
        () => {
            const text = document.documentElement.outerHTML;
            let hash = 0;
            for (let i = 0; i < text.length; i++) {
                hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
            }
            return `${location.href} ${window.innerWidth} ${text.length} ${hash}`;
        }
        """);

    /// <summary>Fails the calling test, naming <paramref name="step"/> and the page, when <see cref="FindAsync"/> finds anything.</summary>
    public static async Task AssertCleanAsync(IPage page, string step)
    {
        var found = await FindAsync(page);
        if (found.Count > 0)
        {
            Assert.Fail(Report(step, page.Url, found));
        }
    }

    /// <summary>The failure message for <paramref name="found"/> violations on <paramref name="url"/> at <paramref name="step"/>.</summary>
    public static string Report(string step, string url, IReadOnlyList<string> found)
    {
        var text = new StringBuilder();
        text.Append("axe-core found ").Append(found.Count).Append(" serious or critical WCAG 2.2 AA violation(s) at step '")
            .Append(step).Append("' on ").Append(url).Append(":\n");
        foreach (var line in found)
        {
            text.Append("  ").Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static bool IsPortalPage(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && !NotPortalPages.Any(prefix => uri.AbsolutePath.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static List<string> Describe(AxeResult result)
    {
        var lines = new List<string>();
        foreach (var violation in result.Violations ?? [])
        {
            if (!FailingImpacts.Contains(violation.Impact))
            {
                continue;
            }

            foreach (var node in violation.Nodes ?? [])
            {
                // The check's own words, e.g. "insufficient color contrast of 2.86 (foreground #ff9800 ...)".
                var why = (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(c => c.Message).FirstOrDefault(m => !string.IsNullOrEmpty(m));
                lines.Add($"{violation.Id} ({violation.Impact}) at {node.Target}: {violation.Help}. {why} See {violation.HelpUrl}");
            }
        }

        return lines;
    }

    // MudBlazor fades dialogs, popovers and snackbars in: colours measured mid-fade are not the
    // ones a person reads. Waits for every animation that ends (progress bars loop forever) and
    // for running transitions, a second at most; and for the title, fifteen seconds at most (a
    // busy machine takes seconds to start a circuit; a page without one is still reported).
    private static async Task SettleAsync(IPage page)
    {
        const string finiteAnimationsDone = """
            () => Promise.race([
                Promise.all(document.getAnimations()
                    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
                    .map(a => a.finished.catch(() => null))),
                new Promise(resolve => setTimeout(resolve, 1000))])
            """;
        // The circuit's head outlet renders the page's <title> again once connected, empty for a moment.
        const string titled = """
            () => new Promise(resolve => {
                const started = Date.now();
                const look = () => document.title !== '' || Date.now() - started > 15000 ? resolve(true) : setTimeout(look, 50);
                look();
            })
            """;
        // A snackbar fading in or out is drawn lighter than it is read; wait until each is whole or gone.
        const string snackbarsWhole = """
            () => new Promise(resolve => {
                const started = Date.now();
                const fading = () => [...document.querySelectorAll('.mud-snackbar')]
                    .some(s => parseFloat(getComputedStyle(s).opacity) < 0.94);
                const look = () => !fading() || Date.now() - started > 5000 ? resolve(true) : setTimeout(look, 50);
                look();
            })
            """;
        try
        {
            await page.EvaluateAsync(finiteAnimationsDone);
            await page.EvaluateAsync(titled);
            await page.EvaluateAsync(snackbarsWhole);
        }
        catch (PlaywrightException)
        {
            // A page navigating away has nothing to settle; axe then runs on the new document.
        }
    }
}
