using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Portal.Account;

namespace Portal.Tests.Account;

public sealed class AuthenticatorKeySealTests
{
    private const string Key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private readonly IDataProtectionProvider _protection = new EphemeralDataProtectionProvider();

    [Fact]
    public void Seal_HidesTheKey_AndOpensForTheSameUser()
    {
        var user = Guid.NewGuid();

        var sealedKey = AuthenticatorKeySeal.Seal(_protection, user, Key);

        Assert.StartsWith(AuthenticatorKeySeal.Prefix, sealedKey, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, sealedKey, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Key, AuthenticatorKeySeal.Open(_protection, user, sealedKey));
    }

    [Fact]
    public void Open_AnotherUsersSeal_Throws()
    {
        var sealedKey = AuthenticatorKeySeal.Seal(_protection, Guid.NewGuid(), Key);

        Assert.ThrowsAny<CryptographicException>(() => AuthenticatorKeySeal.Open(_protection, Guid.NewGuid(), sealedKey));
    }

    [Fact]
    public void Open_LegacyClearKey_ReturnsIt()
    {
        Assert.False(AuthenticatorKeySeal.IsSealed(Key));
        Assert.Equal(Key, AuthenticatorKeySeal.Open(_protection, Guid.NewGuid(), Key));
    }
}
