using Portal.Core;
using Portal.Core.Names;

namespace Portal.Tests.Core.Names;

/// <summary>The one email rule: what RFC 5322 allows and a mail server takes, in one canonical form.</summary>
public sealed class EmailAddressesTests
{
    [Theory]
    [InlineData("o'brien+tag@example.com", "o'brien+tag@example.com")]
    [InlineData("  first.last-name@sub.example.co.uk ", "first.last-name@sub.example.co.uk")]
    [InlineData("user123@example123.com", "user123@example123.com")]
    [InlineData("Mixed.Case@EXAMPLE.COM", "Mixed.Case@example.com")]
    [InlineData("user@bücher.example", "user@bücher.example")]
    [InlineData("user@XN--BCHER-KVA.example", "user@bücher.example")]
    [InlineData("user@Bu\u0308cher.example", "user@bücher.example")]
    [InlineData("jose\u0301@example.com", "jos\u00E9@example.com")]
    [InlineData("用户@例子.广告", "用户@例子.广告")]
    [InlineData("\"john doe\"@example.com", "\"john doe\"@example.com")]
    [InlineData("a!#$%&*/=?^_`{|}~@example.com", "a!#$%&*/=?^_`{|}~@example.com")]
    [InlineData("admin@localhost", "admin@localhost")]
    public void Require_AddressAMailServerTakes_IsCanonical(string entered, string stored)
    {
        Assert.Equal(stored, EmailAddresses.Require(entered));
    }

    [Theory]
    [InlineData("", "Enter an email address.")]
    [InlineData("no-at-sign", "is not an email address")]
    [InlineData("Name <name@example.com>", "is not an email address")]
    [InlineData("name@example.com (work)", "is not an email address")]
    [InlineData("\"a@b\"@example.com", "is not an email address")]
    [InlineData("two@at@example.com", "is not an email address")]
    [InlineData("a..b@example.com", "is not an email address")]
    [InlineData("name@-bad-.example", "is not a domain name")]
    [InlineData("na\u200Bme@example.com", "U+200B ZERO WIDTH SPACE")]
    [InlineData("name@exa\u200Dmple.com", "U+200D ZERO WIDTH JOINER")]
    [InlineData("name\u202E@example.com", "U+202E RIGHT-TO-LEFT OVERRIDE")]
    [InlineData("\uFEFFname@example.com", "U+FEFF")]
    [InlineData("name\r\n@example.com", "U+000D CARRIAGE RETURN")]
    public void Require_NotAnAddress_IsRefusedWithTheReason(string entered, string reason)
    {
        var error = Assert.Throws<InvalidRequestException>(() => EmailAddresses.Require(entered, "email"));

        Assert.Contains(reason, Assert.Single(error.Errors["email"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Require_LoneSurrogate_IsRefusedNotThrown()
    {
        // A fact, not a theory row: serialized test cases turn a lone surrogate into U+FFFD.
        var error = Assert.Throws<InvalidRequestException>(() => EmailAddresses.Require("na\uD800me@example.com", "email"));

        Assert.Contains("U+D800", Assert.Single(error.Errors["email"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Require_Lengths_FollowRfc5321()
    {
        var local64 = new string('a', 64);
        var domain = string.Join('.', Enumerable.Repeat(new string('d', 60), 3)) + ".example";

        Assert.Equal(local64 + "@example.com", EmailAddresses.Require(local64 + "@example.com"));
        Assert.Throws<InvalidRequestException>(() => EmailAddresses.Require("a" + local64 + "@example.com"));
        Assert.Equal(254, EmailAddresses.Require(new string('a', 254 - domain.Length - 1) + "@" + domain).Length);
        Assert.Throws<InvalidRequestException>(() => EmailAddresses.Require(new string('a', 255 - domain.Length - 1) + "@" + domain));
    }

    [Fact]
    public void LookupKey_SpellingsOfOneMailbox_AreOneKey()
    {
        var keys = new[] { "User@bücher.example", "USER@XN--BCHER-KVA.EXAMPLE", "user@Bu\u0308cher.example" }.Select(EmailAddresses.LookupKey).Distinct().ToList();

        Assert.Equal(["USER@BÜCHER.EXAMPLE"], keys);
        // Plain ASCII keys are exactly Identity's default (upper invariant), so stored rows keep matching.
        Assert.Equal("O'BRIEN+TAG@EXAMPLE.COM", EmailAddresses.LookupKey("o'brien+tag@example.com"));
    }

    [Fact]
    public void EmailLookupNormalizer_NamesAndEmails_UseTheLookupKey()
    {
        var normalizer = new EmailLookupNormalizer();

        Assert.Equal("USER@BÜCHER.EXAMPLE", normalizer.NormalizeEmail("user@xn--bcher-kva.example"));
        Assert.Equal("USER@BÜCHER.EXAMPLE", normalizer.NormalizeName("user@xn--bcher-kva.example"));
        Assert.Equal("ADMINISTRATOR", normalizer.NormalizeName("Administrator"));
        Assert.Null(normalizer.NormalizeEmail(null));
    }
}
