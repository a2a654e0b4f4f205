using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Portal.Core.Webhooks;

namespace Portal.Tests.Core.Webhooks;

/// <summary>A webhook's host resolved once and every address checked, through a test resolver (no real DNS).</summary>
public sealed class WebhookDestinationsTests
{
    private readonly TestHostResolver _dns = new();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.5")]
    [InlineData("169.254.169.254")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("100.64.1.1")]
    [InlineData("fe80::1")]
    public async Task Check_NameResolvingInside_IsRefusedNamingTheAddress(string address)
    {
        _dns.Map("hooks.example.com", address);

        var refused = await Assert.ThrowsAsync<WebhookDestinationRefusedException>(() => Destinations().CheckAsync("hooks.example.com", default));

        Assert.StartsWith(System.Net.IPAddress.Parse(address).ToString() + " is ", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NameResolvingToPublicAddresses_ReturnsThemInOrder()
    {
        _dns.Map("hooks.example.com", "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946");

        var addresses = await Destinations().CheckAsync("hooks.example.com", default);

        Assert.Equal(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"], addresses.Select(a => a.ToString()));
        Assert.Equal(1, _dns.Asked("hooks.example.com"));
    }

    [Fact]
    public async Task Check_NameWithOnePublicAndOneInsideAddress_IsRefusedAsAWhole()
    {
        _dns.Map("rebind.example.com", "93.184.216.34", "127.0.0.1");

        var refused = await Assert.ThrowsAsync<WebhookDestinationRefusedException>(() => Destinations().CheckAsync("rebind.example.com", default));

        Assert.StartsWith("127.0.0.1 is a loopback address", refused.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("[fd00::1]")]
    [InlineData("[::ffff:169.254.169.254]")]
    public async Task Check_AddressLiteral_IsCheckedWithoutDns(string host)
    {
        await Assert.ThrowsAsync<WebhookDestinationRefusedException>(() => Destinations().CheckAsync(host, default));

        Assert.Equal(0, _dns.Asked(host.Trim('[', ']')));
    }

    [Fact]
    public async Task Check_PortalsOwnHostOrAddress_IsRefused_UnlessPrivateNetworksAllowed()
    {
        _dns.Map("elsewhere.example.com", "93.184.216.34");
        var own = new TestOwnAddresses(["keys.example.com"], ["93.184.216.34"]);

        var byName = await Assert.ThrowsAsync<WebhookDestinationRefusedException>(() => Destinations(own: own).CheckAsync("KEYS.example.com.", default));
        var byAddress = await Assert.ThrowsAsync<WebhookDestinationRefusedException>(() => Destinations(own: own).CheckAsync("elsewhere.example.com", default));

        Assert.StartsWith("KEYS.example.com is the portal's own host", byName.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _dns.Asked("KEYS.example.com"));
        Assert.StartsWith("93.184.216.34 is one of the portal's own addresses", byAddress.Reason, StringComparison.Ordinal);
        Assert.Single(await Destinations(new WebhookOptions { AllowPrivateNetworks = true }, own).CheckAsync("elsewhere.example.com", default));
    }

    [Fact]
    public async Task Check_AllowPrivateNetworks_AdmitsInsideAddresses()
    {
        _dns.Map("internal.example.com", "10.0.0.5", "fd00::1");

        var addresses = await Destinations(new WebhookOptions { AllowPrivateNetworks = true }).CheckAsync("internal.example.com", default);

        Assert.Equal(2, addresses.Length);
    }

    [Fact]
    public async Task Check_LoopbackWhenLoopbackHttpAllowed_IsAdmitted_PrivateStillRefused()
    {
        _dns.Map("localhost", "127.0.0.1", "::1").Map("internal.example.com", "10.0.0.5");
        var options = new WebhookOptions { AllowLoopbackHttp = true };

        Assert.Equal(2, (await Destinations(options).CheckAsync("localhost", default)).Length);
        await Assert.ThrowsAsync<WebhookDestinationRefusedException>(() => Destinations(options).CheckAsync("internal.example.com", default));
    }

    [Fact]
    public async Task Check_UnknownName_IsAResolutionFailureNotARefusal()
    {
        var error = await Assert.ThrowsAsync<SocketException>(() => Destinations().CheckAsync("nowhere.example.com", default));

        Assert.Equal(SocketError.HostNotFound, error.SocketErrorCode);
    }

    private WebhookDestinations Destinations(WebhookOptions? options = null, IPortalOwnAddresses? own = null) =>
        new(_dns, own ?? new TestOwnAddresses([], []), Options.Create(options ?? new WebhookOptions()));
}
