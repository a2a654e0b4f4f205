using System.ComponentModel.DataAnnotations;

namespace Portal.Hosting;

/// <summary>
/// The address people and gateways reach the portal at, from the top-level <c>PublicUrl</c>
/// setting (e.g. <c>https://keys.example.com</c>): the origin of every link the product prints
/// (the setup link in the log, invitation links, gateway configurations). Unset, each link is
/// built from the address the request itself came to, as seen after trusted forwarding headers.
/// An https public URL also turns on HSTS (outside Development) and marks every cookie <c>Secure</c>.
/// </summary>
public sealed class PublicUrlOptions : IValidatableObject
{
    /// <summary>The configuration key (top level, not a section).</summary>
    public const string Key = "PublicUrl";

    /// <summary>An absolute http or https URL: scheme, host and optional port, nothing else (a trailing slash is allowed).</summary>
    public string? Url { get; set; }

    /// <summary>
    /// The public URL's root (<c>https://keys.example.com/</c>), against which links resolve; null
    /// when unset or malformed (a malformed value stops the program at start).
    /// </summary>
    public Uri? BaseUri
    {
        get
        {
            // Parsed once per value: links are built from it on every page that prints one.
            var parsed = _parsed;
            if (parsed is null || !ReferenceEquals(parsed.Url, Url))
            {
                _parsed = parsed = new ParsedUrl(Url, Parse(Url, out var root) is null ? root : null);
            }

            return parsed.Root;
        }
    }

    /// <summary>Whether the public URL is set and uses https.</summary>
    public bool IsHttps => BaseUri?.Scheme == Uri.UriSchemeHttps;

    private ParsedUrl? _parsed;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Parse(Url, out _) is { } problem)
        {
            // The value is not echoed: a URL with credentials in it would put them in the log.
            yield return new ValidationResult($"{Key} {problem}", [nameof(Url)]);
        }
    }

    /// <summary>Null when <paramref name="url"/> is unset or a good public URL (then <paramref name="root"/> is its root, or null when unset); else why not.</summary>
    private static string? Parse(string? url, out Uri? root)
    {
        root = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
        {
            return "is not an absolute http:// or https:// URL (e.g. https://keys.example.com).";
        }

        // Links are built as origin + path: a path, query or fragment here would be lost or doubled,
        // and credentials in a printed link would be shown to everyone who receives it.
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || url.TrimEnd().EndsWith('?') || url.TrimEnd().EndsWith('#'))
        {
            return "must name only the scheme, host and port: no path, query or fragment.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "must not carry a user name or password.";
        }

        root = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        return null;
    }

    private sealed record ParsedUrl(string? Url, Uri? Root);
}
