using System.Text;
using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Numbered full-page screenshots of one test's steps, saved as
/// <c>&lt;artifacts&gt;/&lt;TestClass&gt;/&lt;TestMethod&gt;/01-step-name.png</c> so a flow reads in order.
/// Each step is also checked by axe-core (<see cref="AxeCheck"/>): a step is a page as a person sees it.
/// </summary>
public sealed class StepScreenshots(string testClass, string testMethod)
{
    private int _step;

    public string Folder { get; } = Path.Combine(Artifacts.ScreenshotDirectory, FileSafe(testClass), FileSafe(testMethod));

    /// <summary>
    /// Saves the page as it is now and returns the file's path; then, unless <paramref name="check"/>
    /// is false, fails the test on any serious or critical accessibility violation of the page
    /// (the picture is kept either way, beside the failure it shows).
    /// </summary>
    public async Task<string> SaveAsync(IPage page, string step, bool check = true)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{Interlocked.Increment(ref _step):00}-{FileSafe(step)}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (check)
        {
            await AxeCheck.AssertCleanAsync(page, step);
        }

        return path;
    }

    private static string FileSafe(string name)
    {
        var safe = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        return safe.Length == 0 ? "unnamed" : safe.ToString();
    }
}
