using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Portal.Auth;

/// <summary>
/// Which direct peers are trusted proxies, bound from <c>Forwarding</c>: only from them are the
/// client's address (<c>X-Forwarded-For</c>), the scheme and host the client used
/// (<c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c>; see <c>Portal.Hosting.ForwardedSchemeAndHost</c>)
/// and, at the gateway door's header form, the original method and URI (<c>X-Original-*</c>,
/// <c>X-Forwarded-Method</c>/<c>-Uri</c>) believed.
/// </summary>
public sealed class ForwardingOptions : IValidatableObject
{
    public const string Section = "Forwarding";

    /// <summary>
    /// Addresses or CIDR ranges of gateways and load balancers whose forwarding headers are
    /// believed, in addition to loopback (see <see cref="TrustLoopback"/>).
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Whether a gateway on this machine (127.0.0.0/8, ::1) is a trusted proxy, as ASP.NET Core's
    /// forwarded-headers middleware assumes by default. True by default.
    /// </summary>
    public bool TrustLoopback { get; set; } = true;

    /// <summary>Every trusted network: the configured ones, and loopback unless turned off.</summary>
    internal IEnumerable<IPNetwork> Networks()
    {
        foreach (var proxy in TrustedProxies)
        {
            if (TryParseNetwork(proxy, out var network))
            {
                yield return network;
            }
        }

        if (TrustLoopback)
        {
            yield return IPNetwork.Parse("127.0.0.0/8");
            yield return IPNetwork.Parse("::1/128");
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < TrustedProxies.Count; i++)
        {
            if (!TryParseNetwork(TrustedProxies[i], out _))
            {
                yield return new ValidationResult($"Forwarding:TrustedProxies:{i} '{TrustedProxies[i]}' is not an IP address or CIDR range.", [nameof(TrustedProxies)]);
            }
        }
    }

    internal static bool TryParseNetwork(string value, out IPNetwork network)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(value, out network);
    }
}
