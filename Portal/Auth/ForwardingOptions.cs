using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Portal.Auth;

/// <summary>Which direct peers may tell us the client's address, bound from <c>Forwarding</c>.</summary>
public sealed class ForwardingOptions : IValidatableObject
{
    public const string Section = "Forwarding";

    /// <summary>
    /// Addresses or CIDR ranges of gateways and load balancers whose <c>X-Forwarded-For</c> is
    /// believed. Empty: the client address is always the direct peer.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

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
