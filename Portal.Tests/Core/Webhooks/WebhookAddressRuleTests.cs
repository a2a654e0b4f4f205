using System.Net;
using Portal.Core.Webhooks;

namespace Portal.Tests.Core.Webhooks;

/// <summary>Where a webhook may connect, decided on the address: table-driven over each kind and its edges.</summary>
public sealed class WebhookAddressRuleTests
{
    public static TheoryData<string, WebhookAddressKind> Addresses => new()
    {
        { "93.184.216.34", WebhookAddressKind.Public },
        { "8.8.8.8", WebhookAddressKind.Public },
        { "1.1.1.1", WebhookAddressKind.Public },
        { "2606:4700:4700::1111", WebhookAddressKind.Public },
        { "2a00:1450:4001:80b::200e", WebhookAddressKind.Public },
        // Just outside the private ranges.
        { "9.255.255.255", WebhookAddressKind.Public },
        { "11.0.0.0", WebhookAddressKind.Public },
        { "172.15.255.255", WebhookAddressKind.Public },
        { "172.32.0.0", WebhookAddressKind.Public },
        { "100.63.255.255", WebhookAddressKind.Public },
        { "100.128.0.0", WebhookAddressKind.Public },
        { "192.167.255.255", WebhookAddressKind.Public },
        { "127.0.0.1", WebhookAddressKind.Loopback },
        { "127.255.255.254", WebhookAddressKind.Loopback },
        { "::1", WebhookAddressKind.Loopback },
        { "::ffff:127.0.0.1", WebhookAddressKind.Loopback },
        { "::127.0.0.1", WebhookAddressKind.Loopback },
        { "64:ff9b::7f00:1", WebhookAddressKind.Loopback },
        { "2002:7f00:1::", WebhookAddressKind.Loopback },
        { "10.0.0.5", WebhookAddressKind.Private },
        { "10.255.255.255", WebhookAddressKind.Private },
        { "172.16.0.1", WebhookAddressKind.Private },
        { "172.31.255.255", WebhookAddressKind.Private },
        { "192.168.1.1", WebhookAddressKind.Private },
        { "::ffff:10.1.2.3", WebhookAddressKind.Private },
        { "::ffff:192.168.0.10", WebhookAddressKind.Private },
        { "64:ff9b::a00:5", WebhookAddressKind.Private },
        { "64:ff9b:1::a00:5", WebhookAddressKind.Private },
        { "fec0::1", WebhookAddressKind.Private },
        { "100.64.0.1", WebhookAddressKind.SharedAddressSpace },
        { "100.127.255.255", WebhookAddressKind.SharedAddressSpace },
        { "169.254.169.254", WebhookAddressKind.LinkLocal },
        { "::ffff:169.254.169.254", WebhookAddressKind.LinkLocal },
        { "fe80::1", WebhookAddressKind.LinkLocal },
        { "fd00::1", WebhookAddressKind.UniqueLocal },
        { "fd00:ec2::254", WebhookAddressKind.UniqueLocal },
        { "fc00::1", WebhookAddressKind.UniqueLocal },
        { "192.0.2.10", WebhookAddressKind.SpecialPurpose },
        { "198.51.100.7", WebhookAddressKind.SpecialPurpose },
        { "203.0.113.200", WebhookAddressKind.SpecialPurpose },
        { "198.18.0.1", WebhookAddressKind.SpecialPurpose },
        { "192.0.0.170", WebhookAddressKind.SpecialPurpose },
        { "2001:db8::1", WebhookAddressKind.SpecialPurpose },
        { "0.0.0.0", WebhookAddressKind.Unspecified },
        { "0.1.2.3", WebhookAddressKind.Unspecified },
        { "::", WebhookAddressKind.Unspecified },
        { "::ffff:0.0.0.0", WebhookAddressKind.Unspecified },
        { "224.0.0.1", WebhookAddressKind.Multicast },
        { "239.255.255.250", WebhookAddressKind.Multicast },
        { "ff02::1", WebhookAddressKind.Multicast },
        { "240.0.0.1", WebhookAddressKind.Reserved },
        { "255.255.255.255", WebhookAddressKind.Reserved },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Classify_Address_IsItsKind(string address, WebhookAddressKind kind) =>
        Assert.Equal(kind, WebhookAddressRule.Classify(IPAddress.Parse(address)));

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Refusal_DefaultSettings_OnlyPublicAllowed(string address, WebhookAddressKind kind)
    {
        var refusal = WebhookAddressRule.Refusal(IPAddress.Parse(address), new WebhookOptions(), isOwnAddress: false);

        if (kind == WebhookAddressKind.Public)
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.NotNull(refusal);
            Assert.StartsWith(IPAddress.Parse(address).ToString(), refusal, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Refusal_AllowPrivateNetworks_AllButUnspecifiedMulticastReservedAllowed(string address, WebhookAddressKind kind)
    {
        var refusal = WebhookAddressRule.Refusal(IPAddress.Parse(address), new WebhookOptions { AllowPrivateNetworks = true }, isOwnAddress: false);

        var neverAllowed = kind is WebhookAddressKind.Unspecified or WebhookAddressKind.Multicast or WebhookAddressKind.Reserved;
        Assert.Equal(neverAllowed, refusal is not null);
    }

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Refusal_AllowLoopbackHttp_AdmitsLoopbackOnlyBesidePublic(string address, WebhookAddressKind kind)
    {
        var refusal = WebhookAddressRule.Refusal(IPAddress.Parse(address), new WebhookOptions { AllowLoopbackHttp = true }, isOwnAddress: false);

        Assert.Equal(kind is not (WebhookAddressKind.Public or WebhookAddressKind.Loopback), refusal is not null);
    }

    [Fact]
    public void Refusal_OwnPublicAddress_RefusedUnlessPrivateNetworksAllowed()
    {
        var own = IPAddress.Parse("93.184.216.34");

        var refusal = WebhookAddressRule.Refusal(own, new WebhookOptions(), isOwnAddress: true);

        Assert.Equal("93.184.216.34 is one of the portal's own addresses, allowed only with Webhooks:AllowPrivateNetworks", refusal);
        Assert.Null(WebhookAddressRule.Refusal(own, new WebhookOptions { AllowPrivateNetworks = true }, isOwnAddress: true));
    }

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5 is a private address, allowed only with Webhooks:AllowPrivateNetworks")]
    [InlineData("169.254.169.254", "169.254.169.254 is a link-local address, allowed only with Webhooks:AllowPrivateNetworks")]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1 is a loopback address, allowed only with Webhooks:AllowLoopbackHttp or Webhooks:AllowPrivateNetworks")]
    [InlineData("0.0.0.0", "0.0.0.0 is an unspecified address")]
    public void Refusal_NamesTheAddressWhatItIsAndTheSetting(string address, string expected) =>
        Assert.Equal(expected, WebhookAddressRule.Refusal(IPAddress.Parse(address), new WebhookOptions(), isOwnAddress: false));
}
