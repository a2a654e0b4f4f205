using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Portal.Auth;

namespace Portal.Tests.Auth;

/// <summary>
/// The client address behind a request: the direct peer, or, when the peer is a trusted proxy, the
/// right-most <c>X-Forwarded-For</c> hop that is not itself a trusted proxy.
/// </summary>
public sealed class ClientAddressResolverTests
{
    [Theory]
    [InlineData("198.51.100.20", null, "198.51.100.20")]
    [InlineData("198.51.100.20", "203.0.113.9", "198.51.100.20")]
    [InlineData("10.0.0.5", "203.0.113.9", "203.0.113.9")]
    [InlineData("10.0.0.5", "6.6.6.6, 203.0.113.9", "203.0.113.9")]
    [InlineData("10.0.0.5", "6.6.6.6, 203.0.113.9, 10.2.3.4", "203.0.113.9")]
    [InlineData("10.0.0.5", "10.9.9.9", "10.9.9.9")]
    [InlineData("10.0.0.5", null, "10.0.0.5")]
    [InlineData("10.0.0.5", "203.0.113.9, garbage", "10.0.0.5")]
    [InlineData("::ffff:10.0.0.5", "203.0.113.9", "203.0.113.9")]
    [InlineData("fd00::1", "2001:db8::7", "2001:db8::7")]
    [InlineData("2001:db8::1", "203.0.113.9", "2001:db8::1")]
    public void Resolve_PeerAndForwardedFor_BelievesOnlyTrustedProxies(string peer, string? forwardedFor, string expected)
    {
        var resolver = new ClientAddressResolver(Options.Create(new ForwardingOptions { TrustedProxies = ["10.0.0.0/8", "fd00::/8"] }));

        Assert.Equal(expected, resolver.Resolve(Context(peer, forwardedFor)));
    }

    [Theory]
    [InlineData("198.51.100.20")]
    [InlineData("10.0.0.5")]
    [InlineData("2001:db8::1")]
    public void Resolve_NoTrustedProxies_IgnoresForwardedForFromOtherThanLoopback(string peer)
    {
        var resolver = new ClientAddressResolver(Options.Create(new ForwardingOptions()));

        Assert.Equal(peer, resolver.Resolve(Context(peer, "203.0.113.9")));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Resolve_LoopbackPeer_IsTrustedByDefault(string peer)
    {
        // A gateway on the same host (nginx, Traefik) is the usual first install.
        var resolver = new ClientAddressResolver(Options.Create(new ForwardingOptions()));

        Assert.Equal("203.0.113.9", resolver.Resolve(Context(peer, "203.0.113.9")));
        Assert.True(resolver.IsTrustedPeer(Context(peer, null)));
    }

    [Fact]
    public void Resolve_LoopbackNotTrusted_IgnoresForwardedFor()
    {
        var resolver = new ClientAddressResolver(Options.Create(new ForwardingOptions { TrustLoopback = false }));

        Assert.Equal("127.0.0.1", resolver.Resolve(Context("127.0.0.1", "203.0.113.9")));
        Assert.False(resolver.IsTrustedPeer(Context("127.0.0.1", null)));
    }

    [Fact]
    public void Resolve_ConnectionsInTurn_EachGetsItsOwnAddress()
    {
        // A dual-stack listener hands IPv4 peers over mapped to IPv6; the resolver reuses its last
        // answer per connection, which must never leak to another connection.
        var resolver = new ClientAddressResolver(Options.Create(new ForwardingOptions()));
        var first = Context("::ffff:198.51.100.20", null);
        var second = Context("::ffff:203.0.113.9", null);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("198.51.100.20", resolver.Resolve(first));
            Assert.Equal("203.0.113.9", resolver.Resolve(second));
            Assert.Equal("2001:db8::1", resolver.Resolve(Context("2001:db8::1", null)));
        }
    }

    [Fact]
    public void Resolve_NoPeer_ReturnsNull()
    {
        var resolver = new ClientAddressResolver(Options.Create(new ForwardingOptions { TrustedProxies = ["10.0.0.0/8"] }));

        Assert.Null(resolver.Resolve(new DefaultHttpContext()));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("192.0.2.7", true)]
    [InlineData("2001:db8::/32", true)]
    [InlineData("not-an-address", false)]
    [InlineData("10.0.0.0/99", false)]
    public void Validate_TrustedProxies_NamesTheBadEntry(string proxy, bool valid)
    {
        var options = new ForwardingOptions { TrustedProxies = [proxy] };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Equal(valid, errors.Count == 0);
        if (!valid)
        {
            Assert.Contains("Forwarding:TrustedProxies:0", errors[0].ErrorMessage);
        }
    }

    private static DefaultHttpContext Context(string peer, string? forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context;
    }
}
