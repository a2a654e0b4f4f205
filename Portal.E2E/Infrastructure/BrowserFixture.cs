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

    /// <summary>A fresh browser context (own cookies and storage) whose relative URLs resolve against the server.</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseAddress) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });

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
