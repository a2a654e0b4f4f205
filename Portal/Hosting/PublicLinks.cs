using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Portal.Hosting;

/// <summary>
/// Absolute links the product prints for people and gateways to use elsewhere: on <c>PublicUrl</c>
/// when it is set, else on the address the page was reached at (which, behind a trusted proxy,
/// is the forwarded scheme and host).
/// </summary>
public sealed class PublicLinks(IOptions<PublicUrlOptions> options)
{
    /// <summary>The public URL's root (<c>https://keys.example.com/</c>), or null when the setting is unset.</summary>
    public Uri? Configured => options.Value.BaseUri;

    /// <summary>The root links resolve against: the public URL, else the page's own base URI.</summary>
    public Uri BaseUri(NavigationManager navigation) => Configured ?? new Uri(navigation.BaseUri);

    /// <summary>
    /// The absolute link to <paramref name="path"/>, a path of the portal such as <c>/invitations/abc</c>
    /// (resolved under the base, so a path base is kept).
    /// </summary>
    public string To(string path, NavigationManager navigation) => new Uri(BaseUri(navigation), path.TrimStart('/')).ToString();
}
