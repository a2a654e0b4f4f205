namespace Portal.Core.Sessions;

/// <summary>
/// A short description of a browser from its User-Agent ("Firefox on Linux"), for the sessions list:
/// enough for a person to recognise their devices, not a fingerprint. The raw header is never stored.
/// </summary>
public static class DeviceDescription
{
    public const string Unknown = "Unknown browser";

    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("HeadlessChrome/", "Chrome"), ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"), ("CriOS/", "Chrome"), ("FxiOS/", "Firefox"), ("Safari/", "Safari"), ("curl/", "curl"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"), ("Windows", "Windows"),
        ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"),
    ];

    /// <summary>"Browser on system", the browser alone, or <see cref="Unknown"/>; at most 40 characters.</summary>
    public static string Of(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return Unknown;
        }

        var browser = Browsers.FirstOrDefault(b => userAgent.Contains(b.Token, StringComparison.Ordinal)).Name;
        var system = Systems.FirstOrDefault(s => userAgent.Contains(s.Token, StringComparison.Ordinal)).Name;
        return (browser, system) switch
        {
            (null, null) => Unknown,
            (null, _) => $"Browser on {system}",
            (_, null) => browser,
            _ => $"{browser} on {system}",
        };
    }
}
