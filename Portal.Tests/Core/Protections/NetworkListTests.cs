using System.Net;
using Portal.Core.Protections;

namespace Portal.Tests.Core.Protections;

/// <summary>IP allowlists and deny lists: parsing, normal forms, refusals and membership, v4 and v6.</summary>
public sealed class NetworkListTests
{
    private const string Field = "ipAllowlist";

    [Theory]
    [InlineData("203.0.113.0/24", "203.0.113.0/24")]
    [InlineData("203.0.113.5/24", "203.0.113.0/24")] // host bits cleared
    [InlineData("203.0.113.7", "203.0.113.7/32")] // a bare address is one host
    [InlineData("255.255.255.255/1", "128.0.0.0/1")]
    [InlineData("198.51.100.7/0", "0.0.0.0/0")]
    [InlineData(" 10.0.0.0/8 ", "10.0.0.0/8")] // surrounding white space
    [InlineData("\t10.1.2.3/8\n", "10.0.0.0/8")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8:0:0:0:0:0:1/32", "2001:db8::/32")] // lower case, compressed
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128")] // the longest zero run is compressed, the first when tied
    [InlineData("2001:0:0:1:0:0:0:1/128", "2001:0:0:1::1/128")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1/128")] // one zero group is not compressed (RFC 5952 4.2.2)
    [InlineData("::1", "::1/128")]
    [InlineData("::", "::/128")]
    [InlineData("ffff::1/0", "::/0")]
    [InlineData("::1.2.3.4/128", "::102:304/128")] // IPv4-compatible (deprecated) addresses are plain IPv6
    [InlineData("::ffff:203.0.113.0/120", "203.0.113.0/24")] // IPv4-mapped networks become IPv4
    [InlineData("::ffff:203.0.113.9/120", "203.0.113.0/24")]
    [InlineData("::FFFF:CB00:7109", "203.0.113.9/32")]
    [InlineData("::ffff:0.0.0.0/96", "0.0.0.0/0")]
    [InlineData("::ffff:0:0/95", "::fffe:0:0/95")] // wider than the mapped block: stays IPv6
    [InlineData("fe80::1/64", "fe80::/64")]
    public void Parse_ValidEntry_IsNormalised(string entry, string normal)
    {
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse([entry], Field, errors);

        Assert.Empty(errors);
        Assert.Equal(normal, Assert.Single(list.Entries));
    }

    [Fact]
    public void Parse_NormalForm_ParsesToItself()
    {
        string[] entries = ["203.0.113.5/24", "2001:DB8::1/48", "::ffff:198.51.100.0/120", "10.0.0.1", "fe80:0:0:0:0:0:0:0/10"];
        var first = NetworkList.Parse(entries, Field, []);
        var errors = new Dictionary<string, string[]>();
        var second = NetworkList.Parse(first.Entries.ToList<string?>(), Field, errors);

        Assert.Empty(errors);
        Assert.Equal(["203.0.113.0/24", "2001:db8::/48", "198.51.100.0/24", "10.0.0.1/32", "fe80::/10"], first.Entries);
        Assert.Equal(first.Entries, second.Entries);
    }

    [Theory]
    [InlineData("1.2.3.4/33", "prefix length of 33")]
    [InlineData("::1/129", "prefix length of 129")]
    [InlineData("0.0.0.0/999", "prefix length of 999")]
    [InlineData("fe80::1%eth0", "zone")]
    [InlineData("fe80::1%4/64", "zone")]
    [InlineData("", "cannot be empty")]
    [InlineData("   ", "cannot be empty")]
    [InlineData("1.2.3", "is not an IPv4 or IPv6 address")] // IPAddress.Parse would read 1.2.0.3
    [InlineData("10", "is not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.300/8", "is not an IPv4 or IPv6 address")]
    [InlineData("1.2.3.4.5", "is not an IPv4 or IPv6 address")]
    [InlineData("1.2.3.4.", "is not an IPv4 or IPv6 address")]
    [InlineData("1..3.4", "is not an IPv4 or IPv6 address")]
    [InlineData("0x0a.0.0.0/8", "is not an IPv4 or IPv6 address")]
    [InlineData("+1.2.3.4", "is not an IPv4 or IPv6 address")]
    [InlineData("010.0.0.0/8", "leading zero")] // octal to some tools
    [InlineData("10.0.0.0/08", "leading zero")]
    [InlineData("::ffff:10.0.0.01", "leading zero")]
    [InlineData("10.0.0.0/", "is not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.0/-1", "is not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.0/ 8", "is not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.0/8/8", "is not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.0 /8", "is not an IPv4 or IPv6 address")]
    [InlineData("[::1]", "is not an IPv4 or IPv6 address")]
    [InlineData("[::1]:80", "is not an IPv4 or IPv6 address")]
    [InlineData("::1::", "is not an IPv4 or IPv6 address")]
    [InlineData("1:2:3:4:5:6:7:8:9", "is not an IPv4 or IPv6 address")]
    [InlineData("2001:db8::g", "is not an IPv4 or IPv6 address")]
    [InlineData("::1.2.3", "is not an IPv4 or IPv6 address")]
    [InlineData("localhost", "is not an IPv4 or IPv6 address")]
    [InlineData("1.2.3.4/24 # office", "is not an IPv4 or IPv6 address")]
    [InlineData("１.２.３.４", "is not an IPv4 or IPv6 address")] // full-width digits
    public void Parse_Garbage_IsRefusedUnderTheEntry(string entry, string message)
    {
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse(["192.0.2.0/24", entry], Field, errors);

        var problem = Assert.Single(Assert.Single(errors, e => e.Key == "ipAllowlist[1]").Value);
        Assert.Contains(message, problem);
        Assert.Single(errors);
        Assert.Equal(["192.0.2.0/24"], list.Entries);
    }

    [Fact]
    public void Parse_NullEntry_IsRefused()
    {
        var errors = new Dictionary<string, string[]>();
        NetworkList.Parse([null], Field, errors);

        Assert.Contains("cannot be empty", Assert.Single(errors["ipAllowlist[0]"]));
    }

    [Fact]
    public void Parse_VeryLongEntry_IsShortenedInTheMessage()
    {
        var errors = new Dictionary<string, string[]>();
        NetworkList.Parse([new string('1', 10_000)], Field, errors);

        Assert.True(Assert.Single(errors["ipAllowlist[0]"]).Length < 200);
    }

    [Theory]
    [InlineData("203.0.0.0/16", "203.0.113.0/24", "'203.0.113.0/24' is already covered by '203.0.0.0/16' (entry 0).")]
    [InlineData("203.0.113.0/24", "203.0.113.0/24", "'203.0.113.0/24' is the same network as '203.0.113.0/24' (entry 0).")]
    [InlineData("203.0.113.0/24", "203.0.113.77/24", "'203.0.113.77/24' (203.0.113.0/24) is the same network as '203.0.113.0/24' (entry 0).")]
    [InlineData("203.0.113.0/24", "203.0.113.7", "'203.0.113.7' (203.0.113.7/32) is already covered by '203.0.113.0/24' (entry 0).")]
    [InlineData("203.0.113.0/24", "203.0.0.0/16", "'203.0.0.0/16' contains '203.0.113.0/24' (entry 0); keep only one of them.")]
    [InlineData("203.0.113.0/24", "0.0.0.0/0", "'0.0.0.0/0' contains '203.0.113.0/24' (entry 0); keep only one of them.")]
    [InlineData("203.0.113.0/24", "::ffff:203.0.113.0/120", "'::ffff:203.0.113.0/120' (203.0.113.0/24) is the same network as '203.0.113.0/24' (entry 0).")]
    [InlineData("2001:db8::/32", "2001:DB8:1::/48", "'2001:DB8:1::/48' (2001:db8:1::/48) is already covered by '2001:db8::/32' (entry 0).")]
    [InlineData("2001:db8::1", "::/0", "'::/0' contains '2001:db8::1/128' (entry 0); keep only one of them.")]
    public void Parse_OverlapWithAnEarlierEntry_IsRefusedNamingBoth(string first, string second, string message)
    {
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse([first, second], Field, errors);

        Assert.Equal(message, Assert.Single(errors["ipAllowlist[1]"]));
        Assert.Single(list.Entries);
    }

    [Fact]
    public void Parse_OverlapIsReportedAgainstAnAcceptedEntry_WithItsIndex()
    {
        var errors = new Dictionary<string, string[]>();
        NetworkList.Parse(["garbage", "192.0.2.0/24", "198.51.100.0/24", "198.51.100.128/25"], Field, errors);

        Assert.Equal(["ipAllowlist[0]", "ipAllowlist[3]"], errors.Keys.Order());
        Assert.EndsWith("(entry 2).", Assert.Single(errors["ipAllowlist[3]"]));
    }

    [Fact]
    public void Parse_V4AndV6_DoNotOverlap()
    {
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse(["0.0.0.0/0", "::/0"], Field, errors);

        Assert.Empty(errors);
        Assert.Equal(["0.0.0.0/0", "::/0"], list.Entries);
    }

    [Fact]
    public void Parse_AdjacentNetworks_AreAccepted()
    {
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"], Field, errors);

        Assert.Empty(errors);
        Assert.Equal(3, list.Entries.Count);
    }

    [Fact]
    public void Parse_MoreThanMaxEntries_IsRefusedUnderTheField_WithoutReadingThem()
    {
        var entries = Enumerable.Range(0, NetworkList.MaxEntries + 1).Select(i => i == 5 ? "garbage" : $"10.0.{i}.0/24").ToList<string?>();
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse(entries, Field, errors);

        Assert.Equal("A list can have at most 100 networks; 101 were given.", Assert.Single(Assert.Single(errors, e => e.Key == "ipAllowlist").Value));
        Assert.Single(errors);
        Assert.True(list.IsEmpty);
    }

    [Fact]
    public void Parse_MaxEntries_AreAccepted()
    {
        var entries = Enumerable.Range(0, NetworkList.MaxEntries).Select(i => $"10.0.{i}.0/24").ToList<string?>();
        var errors = new Dictionary<string, string[]>();

        Assert.Equal(NetworkList.MaxEntries, NetworkList.Parse(entries, Field, errors).Entries.Count);
        Assert.Empty(errors);
    }

    [Fact]
    public void Parse_NullOrNoEntries_IsEmpty()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Same(NetworkList.Empty, NetworkList.Parse(null, Field, errors));
        Assert.Same(NetworkList.Empty, NetworkList.Parse([], Field, errors));
        Assert.True(NetworkList.Empty.IsEmpty);
        Assert.False(NetworkList.Empty.Contains(ClientAddress.Parse("203.0.113.7")));
        Assert.Empty(errors);
    }

    [Theory]
    // IPv4
    [InlineData("203.0.113.0/24", "203.0.113.0", true)]
    [InlineData("203.0.113.0/24", "203.0.113.255", true)]
    [InlineData("203.0.113.0/24", "203.0.112.255", false)]
    [InlineData("203.0.113.0/24", "203.0.114.0", false)]
    [InlineData("203.0.113.7", "203.0.113.7", true)] // /32
    [InlineData("203.0.113.7/32", "203.0.113.8", false)]
    [InlineData("203.0.113.7/32", "203.0.113.6", false)]
    [InlineData("0.0.0.0/0", "0.0.0.0", true)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)] // IPv4 networks never hold IPv6 addresses
    [InlineData("255.255.255.255/32", "255.255.255.255", true)]
    [InlineData("128.0.0.0/1", "127.255.255.255", false)]
    // IPv4-mapped IPv6 addresses are compared as IPv4
    [InlineData("203.0.113.0/24", "::ffff:203.0.113.9", true)]
    [InlineData("203.0.113.0/24", "::ffff:203.0.114.9", false)]
    [InlineData("::ffff:203.0.113.0/120", "203.0.113.9", true)]
    [InlineData("::ffff:203.0.113.0/120", "::ffff:203.0.113.9", true)]
    [InlineData("::/0", "::ffff:203.0.113.9", false)] // IPv6 networks never hold IPv4 addresses
    [InlineData("::/0", "203.0.113.9", false)]
    // IPv6
    [InlineData("2001:db8::/32", "2001:db8::", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false)]
    [InlineData("2001:db8::/32", "2001:db9::", false)]
    [InlineData("2001:db8::1", "2001:db8::1", true)] // /128
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    [InlineData("2001:db8::1/128", "2001:db8::", false)]
    [InlineData("::/0", "::", true)]
    [InlineData("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("::/0", "::1", true)]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8::/32", "203.0.113.7", false)]
    [InlineData("fe80::/10", "fe80::1%eth0", false)] // a zone id makes no address
    [InlineData("203.0.113.0/24", "not an address", false)]
    public void Contains_Address_MatchesItsFamilyOnly(string entry, string address, bool expected)
    {
        var list = NetworkList.Parse([entry], Field, []);

        Assert.Equal(expected, list.Contains(ClientAddress.Parse(address)));
    }

    [Fact]
    public void Contains_None_IsFalse()
    {
        var list = NetworkList.Parse(["0.0.0.0/0", "::/0"], Field, []);

        Assert.False(list.Contains(ClientAddress.None));
    }

    [Fact]
    public void Contains_IPAddressForms_AgreeWithParse()
    {
        var list = NetworkList.Parse(["203.0.113.0/24", "2001:db8::/32"], Field, []);

        Assert.True(list.Contains(ClientAddress.From(IPAddress.Parse("203.0.113.9"))));
        Assert.True(list.Contains(ClientAddress.From(IPAddress.Parse("203.0.113.9").MapToIPv6())));
        Assert.True(list.Contains(ClientAddress.From(IPAddress.Parse("2001:db8::1"))));
        Assert.False(list.Contains(ClientAddress.From(IPAddress.Parse("2001:db9::1"))));
    }

    [Fact]
    public void Contains_ManyNetworksInAnyOrder_FindsEachAndNothingBetween()
    {
        // 50 IPv4 and 50 IPv6 networks of mixed sizes, given out of order: the binary search must
        // find the one range that can hold an address, and nothing in the gaps between ranges.
        var random = new Random(13);
        var v4 = Enumerable.Range(0, 50).Select(i => (Start: (uint)i << 24 | 0x00AA0000u, Prefix: 16 + i % 9)).ToList();
        var v6 = Enumerable.Range(0, 50).Select(i => (Start: (UInt128)(ulong)(0x2001_0db8_0000_0000UL | (ulong)i << 20) << 64, Prefix: 45 + i % 19)).ToList();
        var entries = v4.Select(n => $"{ToIp(n.Start)}/{n.Prefix}")
            .Concat(v6.Select(n => $"{ToIp(n.Start)}/{n.Prefix}"))
            .OrderBy(_ => random.Next())
            .ToList<string?>();
        var errors = new Dictionary<string, string[]>();
        var list = NetworkList.Parse(entries, Field, errors);
        Assert.Empty(errors);

        foreach (var (start, prefix) in v4)
        {
            var last = start | (uint.MaxValue >> prefix);
            Assert.True(list.Contains(ClientAddress.Parse(ToIp(start))));
            Assert.True(list.Contains(ClientAddress.Parse(ToIp(last))));
            Assert.False(list.Contains(ClientAddress.Parse(ToIp(start - 1))));
            Assert.False(list.Contains(ClientAddress.Parse(ToIp(last + 1))));
        }

        foreach (var (start, prefix) in v6)
        {
            var last = start | (UInt128.MaxValue >> prefix);
            Assert.True(list.Contains(ClientAddress.Parse(ToIp(start))));
            Assert.True(list.Contains(ClientAddress.Parse(ToIp(last))));
            Assert.False(list.Contains(ClientAddress.Parse(ToIp(start - 1))));
            Assert.False(list.Contains(ClientAddress.Parse(ToIp(last + 1))));
        }

        Assert.False(list.Contains(ClientAddress.Parse("0.0.0.0")));
        Assert.False(list.Contains(ClientAddress.Parse("255.255.255.255")));
        Assert.False(list.Contains(ClientAddress.Parse("::")));
        Assert.False(list.Contains(ClientAddress.Parse("ffff::")));
    }

    [Fact]
    public void Contains_AllocatesNothing()
    {
        var list = NetworkList.Parse(["203.0.113.0/24", "2001:db8::/32", "198.51.100.0/24"], Field, []);
        var v4 = ClientAddress.Parse("198.51.100.7");
        var v6 = ClientAddress.Parse("2001:db8::7");
        list.Contains(v4);
        list.Contains(v6);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = 0;
        for (var i = 0; i < 1000; i++)
        {
            found += (list.Contains(v4) ? 1 : 0) + (list.Contains(v6) ? 1 : 0) + (list.Contains(ClientAddress.None) ? 1 : 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2000, found);
    }

    private static string ToIp(uint value) => new IPAddress(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value }).ToString();

    private static string ToIp(UInt128 value)
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }
}
