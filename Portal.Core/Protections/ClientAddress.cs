using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Protections;

/// <summary>
/// A client's IP address as the request protections compare it: IPv4 as a 32-bit number, IPv6 as
/// a 128-bit one, an IPv4-mapped IPv6 address (<c>::ffff:203.0.113.7</c>) as the IPv4 address it
/// carries. A value type, so checks against it allocate nothing. <see cref="None"/> when the door
/// knows no address (a verify call that names no <c>clientIp</c>).
/// </summary>
public readonly record struct ClientAddress
{
    private readonly UInt128 _value;
    private readonly byte _family;

    private ClientAddress(UInt128 value, byte family)
    {
        _value = value;
        _family = family;
    }

    /// <summary>No address known.</summary>
    public static ClientAddress None => default;

    public bool IsKnown => _family != 0;

    public bool IsV4 => _family == 4;

    public bool IsV6 => _family == 6;

    /// <summary>The IPv4 address as a big-endian number (<c>203.0.113.7</c> = 0xCB007107); only when <see cref="IsV4"/>.</summary>
    public uint V4 => (uint)_value;

    /// <summary>The IPv6 address as a big-endian number; only when <see cref="IsV6"/>.</summary>
    public UInt128 V6 => _value;

    [ThreadStatic]
    private static (string Text, ClientAddress Address)? t_last;

    /// <summary>The address of an <see cref="IPAddress"/>; IPv4-mapped IPv6 addresses become IPv4, a zone id is dropped.</summary>
    public static ClientAddress From(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return new ClientAddress(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes), 4);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            address.TryWriteBytes(bytes, out _);
            return new ClientAddress(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes), 6);
        }

        return None;
    }

    /// <summary>
    /// Parses an address's text (<c>203.0.113.7</c>, <c>2001:db8::1</c>); <see cref="None"/> for
    /// null or anything that is no address. Gateways send the same few addresses over and over:
    /// this thread's last answer is reused for the same string.
    /// </summary>
    public static ClientAddress Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return None;
        }

        if (t_last is { } last && ReferenceEquals(last.Text, text))
        {
            return last.Address;
        }

        var address = IPAddress.TryParse(text, out var parsed) && !text.Contains('%') ? From(parsed) : None;
        t_last = (text, address);
        return address;
    }

    /// <summary>The address as an <see cref="IPAddress"/> (for display and lookups that need one); null for <see cref="None"/>.</summary>
    public IPAddress? ToIPAddress()
    {
        if (!IsKnown)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (IsV4)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, V4);
            return new IPAddress(bytes[..4]);
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, V6);
        return new IPAddress(bytes);
    }

    public override string ToString() => ToIPAddress()?.ToString() ?? "";
}
