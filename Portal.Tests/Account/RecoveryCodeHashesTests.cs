using Portal.Account;
using Portal.Core.Keys;

namespace Portal.Tests.Account;

public sealed class RecoveryCodeHashesTests
{
    private static readonly string[] Codes = ["BCDFG-23456", "HJKMN-789BC", "PQRTV-WXY23"];
    private static readonly Guid User = Guid.NewGuid();

    [Fact]
    public void Hash_HoldsNoCode_AndEachRedeemsOnce()
    {
        var hashes = Hashes(1);
        var stored = hashes.Hash(User, Codes);

        Assert.StartsWith("hmac1:v1:", stored, StringComparison.Ordinal);
        Assert.All(Codes, code => Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(3, hashes.Count(stored));
        var afterFirst = hashes.Redeem(User, stored, Codes[1]);
        Assert.NotNull(afterFirst);
        Assert.Equal(2, hashes.Count(afterFirst));
        Assert.Null(hashes.Redeem(User, afterFirst, Codes[1]));
        Assert.NotNull(hashes.Redeem(User, afterFirst, Codes[0]));
    }

    [Fact]
    public void Redeem_WrongCodeOrAnotherUsersSet_MatchesNothing()
    {
        var hashes = Hashes(1);
        var stored = hashes.Hash(User, Codes);

        Assert.Null(hashes.Redeem(User, stored, "BCDFG-23457"));
        Assert.Null(hashes.Redeem(Guid.NewGuid(), stored, Codes[0]));
        Assert.Null(hashes.Redeem(User, stored, ""));
        Assert.Null(hashes.Redeem(User, null, Codes[0]));
    }

    [Fact]
    public void Redeem_LowerCaseWithSpaces_Matches()
    {
        var hashes = Hashes(1);

        Assert.NotNull(hashes.Redeem(User, hashes.Hash(User, Codes), " bcdfg-23456 "));
    }

    [Fact]
    public void Redeem_LegacyClearSet_RedeemsOnce_AndLeavesTheRestHashed()
    {
        var hashes = Hashes(1);
        var legacy = string.Join(';', Codes);

        var remaining = hashes.Redeem(User, legacy, Codes[2]);

        Assert.NotNull(remaining);
        Assert.True(RecoveryCodeHashes.IsHashed(remaining));
        Assert.All(Codes, code => Assert.DoesNotContain(code, remaining, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(2, hashes.Count(remaining));
        Assert.Null(hashes.Redeem(User, remaining, Codes[2]));
        Assert.NotNull(hashes.Redeem(User, remaining, Codes[0]));
        Assert.Equal(3, hashes.Count(legacy));
    }

    [Fact]
    public void SetUnderAnOlderPepper_RedeemsWhileItIsConfigured_AndCountsZeroOnceItIsGone()
    {
        var stored = Hashes(1).Hash(User, Codes);

        var rotated = new RecoveryCodeHashes(new PepperRing(new Dictionary<int, byte[]> { [1] = Pepper(1), [2] = Pepper(2) }, 2));
        Assert.Equal(3, rotated.Count(stored));
        Assert.StartsWith("hmac1:v1:", rotated.Redeem(User, stored, Codes[0]), StringComparison.Ordinal);
        Assert.StartsWith("hmac1:v2:", rotated.Hash(User, Codes), StringComparison.Ordinal);

        var dropped = Hashes(2);
        Assert.Equal(0, dropped.Count(stored));
        Assert.Null(dropped.Redeem(User, stored, Codes[0]));
    }

    [Fact]
    public void Hash_OtherPepper_GivesOtherHashes()
    {
        Assert.NotEqual(Hashes(1).Hash(User, Codes)[9..], Hashes(2).Hash(User, Codes)[9..]);
    }

    private static RecoveryCodeHashes Hashes(int version) =>
        new(new PepperRing(new Dictionary<int, byte[]> { [version] = Pepper(version) }, version));

    private static byte[] Pepper(int version) => Enumerable.Repeat((byte)version, 32).ToArray();
}
