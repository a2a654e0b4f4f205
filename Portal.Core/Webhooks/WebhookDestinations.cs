using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Portal.Core.Webhooks;

/// <summary>
/// A webhook delivery the address rule refused; the dispatcher records <see cref="Reason"/> as the
/// attempt's error. The message names the address and why, never the URL's path or query.
/// </summary>
public sealed class WebhookDestinationRefusedException(string reason) : Exception(reason)
{
    /// <summary>Why, e.g. <c>10.0.0.5 is a private address, allowed only with Webhooks:AllowPrivateNetworks</c>.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Where a webhook may connect: resolves the host once and checks every address it resolves to
/// against <see cref="WebhookAddressRule"/>. The caller connects to the returned addresses and
/// nothing else, so a name that changes its answer between a check and a connect (DNS rebinding)
/// gains nothing. A host with any refused address is refused as a whole: a name that points
/// inside is not a webhook receiver.
/// </summary>
public sealed class WebhookDestinations(IWebhookHostResolver resolver, IPortalOwnAddresses own, IOptions<WebhookOptions> options)
{
    /// <summary>
    /// The addresses to connect to for <paramref name="host"/> (a name or an IP literal, brackets
    /// allowed). Throws <see cref="WebhookDestinationRefusedException"/> when the rule refuses it and
    /// <see cref="SocketException"/> when the name does not resolve.
    /// </summary>
    public async Task<IPAddress[]> CheckAsync(string host, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var name = host.Trim('[', ']').TrimEnd('.');
        if (IPAddress.TryParse(name, out var literal))
        {
            return [Checked(literal, settings)];
        }

        if (!settings.AllowPrivateNetworks && own.IsOwnHost(name))
        {
            throw new WebhookDestinationRefusedException(
                $"{name} is the portal's own host, allowed only with {WebhookOptions.Section}:{nameof(WebhookOptions.AllowPrivateNetworks)}");
        }

        var addresses = await resolver.ResolveAsync(name, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        foreach (var address in addresses)
        {
            Checked(address, settings);
        }

        return addresses;
    }

    private IPAddress Checked(IPAddress address, WebhookOptions settings)
    {
        var refusal = WebhookAddressRule.Refusal(address, settings, IsOwnPublicAddress(address));
        return refusal is null ? address : throw new WebhookDestinationRefusedException(refusal);
    }

    // Only a public address needs the interface lookup: the other kinds are decided by their kind.
    private bool IsOwnPublicAddress(IPAddress address) =>
        WebhookAddressRule.Classify(address) == WebhookAddressKind.Public && own.IsOwnAddress(address);
}
