using System.Text;
using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>RFC 9530 Content-Digest: computing, reading, and comparing with the digest an application computed.</summary>
public sealed class ContentDigestTests
{
    private static readonly byte[] HelloWorld = Encoding.UTF8.GetBytes("{\"hello\": \"world\"}");

    [Fact]
    public void Compute_HelloWorld_IsTheRfc9530Example()
    {
        // RFC 9530 Appendix B gives sha-256 of {"hello": "world"}; RFC 9421's test request gives its sha-512.
        Assert.Equal("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", ContentDigest.Compute(HelloWorld));
        Assert.Equal(Rfc9421Vectors.RequestContentDigest, ContentDigest.Compute(HelloWorld, "sha-512"));
        Assert.Throws<ArgumentException>(() => ContentDigest.Compute(HelloWorld, "md5"));
    }

    [Fact]
    public void TryParse_BothAlgorithmsAndAnUnknownOne_ReadsTheKnownOnes()
    {
        var field = ContentDigest.Compute(HelloWorld) + ", unixsum=:AAAA:, " + Rfc9421Vectors.RequestContentDigest;

        Assert.True(ContentDigest.TryParse(field, out var digest, out var error), error);

        Assert.Equal(32, digest.Sha256!.Length);
        Assert.Equal(64, digest.Sha512!.Length);
    }

    [Theory]
    [InlineData("md5=:AAAA:", "content-digest has no sha-256 or sha-512 member")]
    [InlineData("", "content-digest has no sha-256 or sha-512 member")]
    [InlineData("sha-256=:AAAA:", "content-digest sha-256 is not a 32-byte byte sequence")]
    [InlineData("sha-256=\"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\"", "content-digest sha-256 is not a 32-byte byte sequence")]
    [InlineData("sha-512=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "content-digest sha-512 is not a 64-byte byte sequence")]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "content-digest is malformed: a key appears twice")]
    [InlineData("sha-256=:X48E9q", "content-digest is malformed: a byte sequence is malformed")]
    [InlineData("sha-256=X48E9q", "content-digest sha-256 is not a 32-byte byte sequence")]
    public void TryParse_Unusable_IsRefused(string field, string reason)
    {
        Assert.False(ContentDigest.TryParse(field, out _, out var error));

        Assert.Equal(reason, error);
    }

    [Fact]
    public void Matches_SharedAlgorithmAgrees_IsTrue()
    {
        var sha256 = ContentDigest.Compute(HelloWorld);
        var sha512 = ContentDigest.Compute(HelloWorld, "sha-512");

        Assert.True(ContentDigest.Matches(sha256, sha256));
        Assert.True(ContentDigest.Matches(sha256 + ", " + sha512, sha512));
        Assert.True(ContentDigest.Matches(sha512, sha256 + ", " + sha512));
    }

    [Fact]
    public void Matches_DisagreementOrNothingShared_IsFalse()
    {
        var sha256 = ContentDigest.Compute(HelloWorld);
        var sha512 = ContentDigest.Compute(HelloWorld, "sha-512");
        var otherSha256 = ContentDigest.Compute("{}"u8);

        Assert.False(ContentDigest.Matches(sha256, otherSha256));
        Assert.False(ContentDigest.Matches(sha256, sha512));
        Assert.False(ContentDigest.Matches(otherSha256 + ", " + sha512, sha256 + ", " + sha512));
        Assert.False(ContentDigest.Matches("garbage(", sha256));
        Assert.False(ContentDigest.Matches(sha256, null));
    }

    [Fact]
    public void MatchesBody_EveryMemberMustBeTheBodysDigest()
    {
        var both = ContentDigest.Compute(HelloWorld) + ", " + ContentDigest.Compute(HelloWorld, "sha-512");

        Assert.True(ContentDigest.MatchesBody(both, HelloWorld));
        Assert.False(ContentDigest.MatchesBody(both, "{\"hello\": \"world!\"}"u8));
        Assert.False(ContentDigest.MatchesBody(ContentDigest.Compute(HelloWorld) + ", " + ContentDigest.Compute("x"u8, "sha-512"), HelloWorld));
    }
}
