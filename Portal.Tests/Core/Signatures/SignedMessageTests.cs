using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>The <c>@authority</c> normalisation of RFC 9110 section 4.2.3 and the joining of repeated field lines.</summary>
public sealed class SignedMessageTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("Example.COM", "example.com")]
    [InlineData("example.com:443", "example.com")]
    [InlineData("example.com:0443", "example.com")]
    [InlineData("example.com:8443", "example.com:8443")]
    [InlineData("example.com:80", "example.com:80")]
    [InlineData("203.0.113.7:8080", "203.0.113.7:8080")]
    [InlineData("[2001:DB8::1]:443", "[2001:db8::1]")]
    [InlineData("[::1]:9000", "[::1]:9000")]
    [InlineData("my_host.internal", "my_host.internal")]
    public void NormalizeAuthority_Https_LowercasesAndDropsPort443(string authority, string expected)
        => Assert.Equal(expected, SignedMessage.NormalizeAuthority(authority));

    [Fact]
    public void NormalizeAuthority_Http_DropsPort80()
    {
        Assert.Equal("example.com", SignedMessage.NormalizeAuthority("example.com:80", "http"));
        Assert.Equal("example.com:443", SignedMessage.NormalizeAuthority("example.com:443", "http"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("user@example.com")]
    [InlineData("example.com:")]
    [InlineData("example.com:65536")]
    [InlineData("example.com:0")]
    [InlineData("example.com:-1")]
    [InlineData("example.com:123456")]
    [InlineData("example..com")]
    [InlineData(".example.com")]
    [InlineData("example.com.")]
    [InlineData("exa mple.com")]
    [InlineData("example.com/path")]
    [InlineData("[2001:db8::1")]
    [InlineData("[fe80::1%eth0]")]
    [InlineData("[203.0.113.7]")]
    [InlineData("2001:db8::1")]
    [InlineData("bücher.example")]
    public void NormalizeAuthority_NotAnAuthority_IsNull(string? authority)
        => Assert.Null(SignedMessage.NormalizeAuthority(authority));

    [Fact]
    public void JoinFieldValues_RepeatedLines_AreJoinedWithCommaSpace()
    {
        Assert.Null(SignedMessage.JoinFieldValues(default));
        Assert.Equal("a=1", SignedMessage.JoinFieldValues("a=1"));
        Assert.Equal("a=1, b=2", SignedMessage.JoinFieldValues(new(["a=1", "b=2"])));
    }
}
