using System.Text;
using Portal.Core.TwoFactor;

namespace Portal.Tests.Core.TwoFactor;

public sealed class TotpTests
{
    // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890": the 8-digit values' last 6 digits are the 6-digit codes.
    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void Code_Rfc6238Vectors_Match(long unixSeconds, string expected)
    {
        var key = Encoding.ASCII.GetBytes("12345678901234567890");

        Assert.Equal(expected, Totp.Code(key, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds))));
    }

    [Fact]
    public void FromBase32_Rfc4648Vector_Decodes()
    {
        Assert.Equal("foobar"u8.ToArray(), Totp.FromBase32("MZXW6YTBOI======"));
        Assert.Equal("foobar"u8.ToArray(), Totp.FromBase32("mzxw 6ytb oi"));
        Assert.Null(Totp.FromBase32("MZXW1"));
        Assert.Null(Totp.FromBase32(""));
    }

    [Fact]
    public void MatchStep_OneStepEitherSide_OthersRefused()
    {
        var key = Encoding.ASCII.GetBytes("12345678901234567890");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var step = Totp.StepAt(now);

        Assert.Equal(step, Totp.MatchStep(key, Totp.Code(key, step), now, window: 1));
        Assert.Equal(step - 1, Totp.MatchStep(key, Totp.Code(key, step - 1), now, window: 1));
        Assert.Equal(step + 1, Totp.MatchStep(key, Totp.Code(key, step + 1), now, window: 1));
        Assert.Null(Totp.MatchStep(key, Totp.Code(key, step - 2), now, window: 1));
        Assert.Null(Totp.MatchStep(key, Totp.Code(key, step + 2), now, window: 1));
        Assert.Null(Totp.MatchStep(key, "12345", now, window: 1));
        Assert.Null(Totp.MatchStep(key, "12345a", now, window: 1));
    }
}
