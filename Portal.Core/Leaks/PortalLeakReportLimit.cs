using Microsoft.Extensions.Options;

namespace Portal.Core.Leaks;

/// <summary>
/// How many reports each person may make on the portal's "Report a leaked key" form: at most
/// <see cref="LeakReportOptions.PortalReportsPerHour"/> in an hour (a fixed window from their first
/// report), so the form cannot be used to try tokens in bulk. In memory on this node; a person's
/// window is forgotten once it ended. Thread-safe.
/// </summary>
public sealed class PortalLeakReportLimit(IOptions<LeakReportOptions> options, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    // Windows are swept when the table grows past this; a sweep drops every ended window.
    private const int SweepAbove = 10_000;

    private readonly Dictionary<Guid, (DateTimeOffset Start, int Count)> _windows = [];

    /// <summary>Takes one report from the user's allowance; false (taking nothing) when it is spent.</summary>
    public bool TryTake(Guid userId)
    {
        var now = time.GetUtcNow();
        lock (_windows)
        {
            if (_windows.Count > SweepAbove)
            {
                foreach (var ended in _windows.Where(w => now - w.Value.Start >= Window).Select(w => w.Key).ToList())
                {
                    _windows.Remove(ended);
                }
            }

            if (!_windows.TryGetValue(userId, out var window) || now - window.Start >= Window)
            {
                window = (now, 0);
            }

            if (window.Count >= options.Value.PortalReportsPerHour)
            {
                return false;
            }

            _windows[userId] = (window.Start, window.Count + 1);
            return true;
        }
    }
}
