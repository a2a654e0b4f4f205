using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// One headless Debian Chromium for the whole run, driven by Playwright. Playwright cannot
/// download its own browser builds here, so it is pointed at the <c>chromium</c> package's binary.
/// Tests never share pages: each opens its own context with <see cref="NewContextAsync"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Overrides where the Chromium binary is; else <c>chromium</c> on PATH, else <c>/usr/bin/chromium</c>.</summary>
    public const string ChromiumVariable = "PORTAL_E2E_CHROMIUM";

    // No sandbox: CI runs as root, where Chromium refuses to start sandboxed. The rest keeps a
    // headless run quiet and offline: no GPU, no QUIC, no updates, sync or background fetches.
    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public async Task InitializeAsync()
    {
        var executable = FindChromium();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ChromiumArguments,
        });
    }

    /// <summary>
    /// Every Content-Security-Policy violation any page of this fixture's contexts reported, in
    /// order: the portal's policy must block nothing the portal needs (see <see cref="PortalBrowserTest"/>).
    /// </summary>
    public IReadOnlyCollection<string> ContentSecurityViolations => _violations;

    private readonly ConcurrentQueue<string> _violations = new();

    /// <summary>A fresh browser context (own cookies and storage) whose relative URLs resolve against the server.</summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });

        // Chromium reports a blocked load or script both as a DOM event and as a console error;
        // the init script runs before the page's own and is not subject to its policy.
        await context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => console.error(`" + ViolationMarker + " ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || document.location.href}:${e.lineNumber}`));");
        context.Console += (_, message) =>
        {
            var reported = message.Text.Contains(ViolationMarker, StringComparison.Ordinal) || message.Text.Contains("Content Security Policy", StringComparison.Ordinal);
            if (reported && !IsEvalProbeOfApiReference(message.Text, message.Location))
            {
                _violations.Enqueue($"{message.Text} ({message.Location})");
            }
        };
        return context;
    }

    private const string ViolationMarker = "CSP violation:";

    // The API reference bundles Zod, which probes once whether eval is allowed (`Function("")` in a
    // try) and falls back to its plain validators when not. The page works without eval, and its
    // policy is kept without 'unsafe-eval'; only this probe from that script is not a failure.
    private static bool IsEvalProbeOfApiReference(string text, string location)
    {
        var fromReference = text.Contains("/api/docs/scalar.js", StringComparison.Ordinal) || location.Contains("/api/docs/scalar.js", StringComparison.Ordinal);
        var eval = text.Contains("script-src blocked eval", StringComparison.Ordinal) || text.Contains("'unsafe-eval'", StringComparison.Ordinal);
        return fromReference && eval;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>The Chromium binary: the override variable, else <c>command -v chromium</c>, else Debian's path.</summary>
    public static string FindChromium()
    {
        if (Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"{ChromiumVariable} names '{configured}', which does not exist.", configured);
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "chromium"))
            .FirstOrDefault(File.Exists);
        if (onPath is not null)
        {
            return onPath;
        }

        const string debian = "/usr/bin/chromium";
        return File.Exists(debian)
            ? debian
            : throw new FileNotFoundException(
                $"Chromium was not found on PATH nor at {debian}. Install Debian's package (apt-get install chromium), "
                + $"run the tests with scripts/test.sh (which installs it), or set {ChromiumVariable}.", debian);
    }
}
