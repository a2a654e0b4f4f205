using System.Net;
using Portal.Core.Protections;

namespace Portal.Tests.Core.Protections;

/// <summary>Client addresses as the protections compare them: IPv4, IPv6, IPv4-mapped IPv6 as IPv4, garbage as none.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", 0xCB007107u)]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData("::ffff:203.0.113.7", 0xCB007107u)] // IPv4-mapped: compared as IPv4
    [InlineData("::FFFF:CB00:7107", 0xCB007107u)]
    public void Parse_V4_IsItsNumber(string text, uint value)
    {
        var address = ClientAddress.Parse(text);

        Assert.True(address.IsKnown);
        Assert.True(address.IsV4);
        Assert.False(address.IsV6);
        Assert.Equal(value, address.V4);
    }

    [Theory]
    [InlineData("2001:db8::1", "20010db8000000000000000000000001")]
    [InlineData("::1", "00000000000000000000000000000001")]
    [InlineData("::", "00000000000000000000000000000000")]
    [InlineData("::1.2.3.4", "00000000000000000000000001020304")] // IPv4-compatible is not mapped: stays IPv6
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffffffffffffffffffffffffffffffff")]
    public void Parse_V6_IsItsNumber(string text, string hex)
    {
        var address = ClientAddress.Parse(text);

        Assert.True(address.IsV6);
        Assert.False(address.IsV4);
        Assert.Equal(UInt128.Parse(hex, System.Globalization.NumberStyles.HexNumber), address.V6);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not an address")]
    [InlineData("203.0.113.")]
    [InlineData("203.0.113.256")]
    [InlineData("2001:db8::g")]
    [InlineData("fe80::1%eth0")] // a zone id names a link on the sender's host, not a client
    [InlineData("fe80::1%4")]
    public void Parse_Garbage_IsNone(string? text)
    {
        var address = ClientAddress.Parse(text);

        Assert.Equal(ClientAddress.None, address);
        Assert.False(address.IsKnown);
        Assert.Null(address.ToIPAddress());
        Assert.Equal("", address.ToString());
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("::1", "::1")]
    public void ToString_RoundTrips(string text, string shown)
    {
        var address = ClientAddress.Parse(text);

        Assert.Equal(shown, address.ToString());
        Assert.Equal(address, ClientAddress.Parse(address.ToString()));
        Assert.Equal(address, ClientAddress.From(address.ToIPAddress()!));
    }

    [Fact]
    public void From_IPAddress_UnmapsAndDropsTheZone()
    {
        Assert.Equal(ClientAddress.Parse("203.0.113.7"), ClientAddress.From(IPAddress.Parse("203.0.113.7").MapToIPv6()));
        Assert.Equal(ClientAddress.Parse("fe80::1"), ClientAddress.From(IPAddress.Parse("fe80::1%4")));
        Assert.Equal(ClientAddress.Parse("2001:db8::1"), ClientAddress.From(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void Parse_SameStringAgain_GivesTheSameAnswer()
    {
        // The parse of a thread's last string is reused; a different string with the same text must agree.
        var text = "198.51.100.9";
        var first = ClientAddress.Parse(text);
        var again = ClientAddress.Parse(text);
        var copy = ClientAddress.Parse(new string(text.AsSpan()));
        var other = ClientAddress.Parse("198.51.100.10");

        Assert.Equal(first, again);
        Assert.Equal(first, copy);
        Assert.NotEqual(first, other);
        Assert.Equal(first, ClientAddress.Parse(text));
    }

    [Fact]
    public void None_IsDefault()
    {
        Assert.Equal(default, ClientAddress.None);
        Assert.False(ClientAddress.None.IsV4);
        Assert.False(ClientAddress.None.IsV6);
    }
}
