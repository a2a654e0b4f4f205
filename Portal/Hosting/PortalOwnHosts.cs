using Microsoft.Extensions.Options;
using Portal.Core.Webhooks;

namespace Portal.Hosting;

/// <summary>
/// The portal's own addresses for the webhook rule: this machine's, and the public URL's host
/// name. The name, not what it resolves to: a portal behind a CDN shares its addresses with
/// unrelated sites, which may well be an organization's webhook receiver.
/// </summary>
internal sealed class PortalOwnHosts(IOptions<PublicUrlOptions> publicUrl) : MachineOwnAddresses
{
    public override bool IsOwnHost(string host) =>
        publicUrl.Value.BaseUri is { } own && string.Equals(own.IdnHost.TrimEnd('.'), host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
}
