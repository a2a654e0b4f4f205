using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Webhooks;

/// <summary>What kind of network an address belongs to, as far as a webhook may call it.</summary>
public enum WebhookAddressKind
{
    /// <summary>Globally reachable: a webhook may call it (unless it is the portal's own).</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>RFC 1918 (10/8, 172.16/12, 192.168/16), the deprecated IPv6 site-local fec0::/10 and local-use NAT64 64:ff9b:1::/48.</summary>
    Private,

    /// <summary>100.64.0.0/10, carrier-grade NAT (RFC 6598).</summary>
    SharedAddressSpace,

    /// <summary>169.254.0.0/16 (cloud metadata services live here), fe80::/10.</summary>
    LinkLocal,

    /// <summary>fc00::/7 (RFC 4193).</summary>
    UniqueLocal,

    /// <summary>IETF protocol assignments, documentation, benchmarking and discard-only ranges: nothing a webhook receiver lives at.</summary>
    SpecialPurpose,

    /// <summary>0.0.0.0/8 and ::, which a connect turns into this machine. Never allowed.</summary>
    Unspecified,

    /// <summary>224.0.0.0/4, ff00::/8. Never allowed.</summary>
    Multicast,

    /// <summary>240.0.0.0/4 and the broadcast address. Never allowed.</summary>
    Reserved,
}

/// <summary>
/// The rule for where a webhook may connect, decided on the address actually connected to (after
/// DNS): public addresses only, unless <c>Webhooks:AllowPrivateNetworks</c> admits the private
/// kinds and the portal's own addresses, or loopback is admitted (<c>Webhooks:AllowLoopbackHttp</c>,
/// on in Development). Unspecified, multicast and reserved addresses are never admitted. IPv6 forms
/// that carry an IPv4 address (mapped <c>::ffff:a.b.c.d</c>, compatible <c>::a.b.c.d</c>, NAT64
/// <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) are judged by that IPv4 address.
/// </summary>
public static class WebhookAddressRule
{
    private static readonly (IPNetwork Network, WebhookAddressKind Kind)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), WebhookAddressKind.Unspecified),
        (IPNetwork.Parse("127.0.0.0/8"), WebhookAddressKind.Loopback),
        (IPNetwork.Parse("10.0.0.0/8"), WebhookAddressKind.Private),
        (IPNetwork.Parse("172.16.0.0/12"), WebhookAddressKind.Private),
        (IPNetwork.Parse("192.168.0.0/16"), WebhookAddressKind.Private),
        (IPNetwork.Parse("100.64.0.0/10"), WebhookAddressKind.SharedAddressSpace),
        (IPNetwork.Parse("169.254.0.0/16"), WebhookAddressKind.LinkLocal),
        (IPNetwork.Parse("192.0.0.0/24"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("192.0.2.0/24"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("198.18.0.0/15"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("198.51.100.0/24"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("203.0.113.0/24"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("224.0.0.0/4"), WebhookAddressKind.Multicast),
        (IPNetwork.Parse("240.0.0.0/4"), WebhookAddressKind.Reserved),
    ];

    private static readonly (IPNetwork Network, WebhookAddressKind Kind)[] V6 =
    [
        (IPNetwork.Parse("fe80::/10"), WebhookAddressKind.LinkLocal),
        (IPNetwork.Parse("fec0::/10"), WebhookAddressKind.Private),
        (IPNetwork.Parse("fc00::/7"), WebhookAddressKind.UniqueLocal),
        (IPNetwork.Parse("ff00::/8"), WebhookAddressKind.Multicast),
        (IPNetwork.Parse("64:ff9b:1::/48"), WebhookAddressKind.Private),
        (IPNetwork.Parse("100::/64"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("2001:2::/48"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("2001:db8::/32"), WebhookAddressKind.SpecialPurpose),
        (IPNetwork.Parse("3fff::/20"), WebhookAddressKind.SpecialPurpose),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");

    /// <summary>The kind of network <paramref name="address"/> belongs to (an IPv4 address inside an IPv6 one is judged as itself).</summary>
    public static WebhookAddressKind Classify(IPAddress address)
    {
        address = Embedded(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (address.Equals(IPAddress.Broadcast))
            {
                return WebhookAddressKind.Reserved;
            }

            return KindIn(V4, address);
        }

        if (address.Equals(IPAddress.IPv6None))
        {
            return WebhookAddressKind.Unspecified;
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return WebhookAddressKind.Loopback;
        }

        return KindIn(V6, address);
    }

    /// <summary>
    /// Why a webhook may not connect to <paramref name="address"/>, or null when it may.
    /// <paramref name="isOwnAddress"/> says whether the address is one of the portal's own.
    /// </summary>
    public static string? Refusal(IPAddress address, WebhookOptions options, bool isOwnAddress)
    {
        var kind = Classify(address);
        var allowPrivate = options.AllowPrivateNetworks;
        var allowed = kind switch
        {
            WebhookAddressKind.Public => allowPrivate || !isOwnAddress,
            WebhookAddressKind.Loopback => allowPrivate || options.AllowLoopbackHttp == true,
            WebhookAddressKind.Unspecified or WebhookAddressKind.Multicast or WebhookAddressKind.Reserved => false,
            _ => allowPrivate,
        };
        if (allowed)
        {
            return null;
        }

        var what = kind switch
        {
            WebhookAddressKind.Public => "one of the portal's own addresses",
            WebhookAddressKind.Loopback => "a loopback address",
            WebhookAddressKind.Private => "a private address",
            WebhookAddressKind.SharedAddressSpace => "a carrier-grade NAT address (100.64.0.0/10)",
            WebhookAddressKind.LinkLocal => "a link-local address",
            WebhookAddressKind.UniqueLocal => "a unique-local address (fc00::/7)",
            WebhookAddressKind.SpecialPurpose => "a special-purpose address (documentation, benchmarking)",
            WebhookAddressKind.Unspecified => "an unspecified address",
            WebhookAddressKind.Multicast => "a multicast address",
            _ => "a reserved address",
        };
        const string AllowPrivate = $"{WebhookOptions.Section}:{nameof(WebhookOptions.AllowPrivateNetworks)}";
        var setting = kind switch
        {
            WebhookAddressKind.Unspecified or WebhookAddressKind.Multicast or WebhookAddressKind.Reserved => "",
            WebhookAddressKind.Loopback => $", allowed only with {WebhookOptions.Section}:{nameof(WebhookOptions.AllowLoopbackHttp)} or {AllowPrivate}",
            _ => $", allowed only with {AllowPrivate}",
        };
        return $"{address} is {what}{setting}";
    }

    /// <summary>The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), else the address itself.</summary>
    private static IPAddress Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (SixToFour.Contains(address))
        {
            return new IPAddress(bytes.Slice(2, 4));
        }

        // ::a.b.c.d (deprecated IPv4-compatible); :: and ::1 are themselves, not 0.0.0.0 and 0.0.0.1.
        var compatible = Compatible.Contains(address) && !address.Equals(IPAddress.IPv6None) && !address.Equals(IPAddress.IPv6Loopback);
        return compatible || Nat64.Contains(address) ? new IPAddress(bytes.Slice(12, 4)) : address;
    }

    private static WebhookAddressKind KindIn((IPNetwork Network, WebhookAddressKind Kind)[] table, IPAddress address)
    {
        foreach (var (network, kind) in table)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return WebhookAddressKind.Public;
    }
}
