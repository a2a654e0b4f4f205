using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Base of a browser test: a fresh browser context and page per test (xunit makes a new instance
/// for each test), relative URLs against the server, and numbered screenshots of the steps.
/// Every step and the page as the test leaves it are checked by axe-core (see <see cref="AxeCheck"/>
/// for why there and what fails).
/// </summary>
/// <remarks>
/// Put <c>[Collection(PortalCollection.Name)]</c> on each derived class: xunit 2 does not read it
/// from a base class.
/// </remarks>
public abstract class PortalBrowserTest(PortalServer server, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext? _context;
    private int _violationsBefore;
    private IPage? _page;
    private StepScreenshots? _screenshots;

    protected PortalServer Server => server;

    protected IBrowserContext Context => _context ?? throw new InvalidOperationException("The test has not started.");

    protected IPage Page => _page ?? throw new InvalidOperationException("The test has not started.");

    public virtual async Task InitializeAsync()
    {
        _violationsBefore = browser.ContentSecurityViolations.Count;
        _context = await browser.NewContextAsync(server.BaseAddress);
        _page = await _context.NewPageAsync();
    }

    /// <summary>Saves a screenshot of the page for this step of the calling test.</summary>
    protected Task<string> ScreenshotAsync(string step, [CallerMemberName] string test = "")
    {
        _screenshots ??= new StepScreenshots(GetType().Name, test);
        return _screenshots.SaveAsync(Page, step);
    }

    public virtual async Task DisposeAsync()
    {
        if (_context is null)
        {
            return;
        }

        // xunit 2 tells a test neither its name nor its outcome, so the page as the test left it,
        // pass or fail, goes beside that test's last step. That is the picture a failure needs.
        if (_screenshots is not null && _page is { IsClosed: false })
        {
            try
            {
                await _screenshots.SaveAsync(_page, "end", check: false);
            }
            catch (PlaywrightException)
            {
                // A page that cannot be drawn must not hide the test's own failure.
            }
        }

        // The page the test ends on may be one no step showed (say, after a last click).
        IReadOnlyList<string> inaccessible = [];
        var endUrl = _page?.Url ?? "";
        if (_page is { IsClosed: false })
        {
            try
            {
                inaccessible = await AxeCheck.FindAsync(_page);
            }
            catch (PlaywrightException)
            {
                // A page torn down by the test's own failure: that failure is the one to read.
            }
        }

        await _context.CloseAsync();
        Assert.True(inaccessible.Count == 0, AxeCheck.Report("end", endUrl, inaccessible));

        // Every browser test also proves the Content-Security-Policy blocks nothing the pages it
        // visited need (its own contexts and any it opened through the fixture).
        var violations = browser.ContentSecurityViolations.Skip(_violationsBefore).ToList();
        Assert.True(violations.Count == 0, "The Content-Security-Policy blocked something:\n" + string.Join("\n", violations));
    }
}
