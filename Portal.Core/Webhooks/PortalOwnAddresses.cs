using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Portal.Core.Webhooks;

/// <summary>The portal's own host names and addresses, which a webhook must not be pointed back at.</summary>
public interface IPortalOwnAddresses
{
    /// <summary>Whether <paramref name="host"/> (a name as written in a URL) is a name of the portal itself, such as its public URL's host.</summary>
    bool IsOwnHost(string host);

    /// <summary>Whether <paramref name="address"/> belongs to this machine.</summary>
    bool IsOwnAddress(IPAddress address);
}

/// <summary>
/// This machine's addresses, read from its network interfaces at each question (webhooks connect
/// rarely, and interfaces change). A server listening on every interface answers on all of them,
/// so all of them are the portal's. No host names: the web host adds its public URL's.
/// </summary>
public class MachineOwnAddresses : IPortalOwnAddresses
{
    public virtual bool IsOwnHost(string host) => false;

    public bool IsOwnAddress(IPAddress address)
    {
        var wanted = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        try
        {
            foreach (var network in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in network.GetIPProperties().UnicastAddresses)
                {
                    if (SameAddress(unicast.Address, wanted))
                    {
                        return true;
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Interfaces that cannot be listed leave the kind rule alone to decide.
        }

        return false;
    }

    // Interface addresses carry a scope id (fe80::1%2); a connect target is the same address whatever its scope.
    private static bool SameAddress(IPAddress own, IPAddress wanted) =>
        own.AddressFamily == wanted.AddressFamily
        && (own.Equals(wanted) || (own.AddressFamily == AddressFamily.InterNetworkV6 && own.GetAddressBytes().AsSpan().SequenceEqual(wanted.GetAddressBytes())));
}
