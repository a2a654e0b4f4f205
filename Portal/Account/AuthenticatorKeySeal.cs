using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Account;

/// <summary>
/// How an authenticator (TOTP) key is stored: <c>dp1:</c> followed by the Data Protection payload
/// of the base32 key, under the purpose <see cref="Purpose"/> and the user's id. The key ring that
/// opens it is encrypted by the master key, which is never in the database, so a copy of the
/// database alone yields no key. The user's id as sub-purpose means a payload copied onto another
/// account does not open there.
/// </summary>
internal static class AuthenticatorKeySeal
{
    /// <summary>The Data Protection purpose of authenticator keys; changing it makes every stored key unreadable.</summary>
    public const string Purpose = "Portal.Account.AuthenticatorKey";

    /// <summary>Marks a sealed value. Neither ':' nor lower case occurs in Identity's base32 keys, so a clear key never starts with it.</summary>
    public const string Prefix = "dp1:";

    public static string Seal(IDataProtectionProvider protection, Guid userId, string key) =>
        Prefix + Protector(protection, userId).Protect(key);

    /// <summary>Whether <paramref name="stored"/> is sealed; anything else is a clear key stored by an earlier version.</summary>
    public static bool IsSealed(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The clear key of a sealed value; a legacy clear value is returned as it is.</summary>
    /// <exception cref="CryptographicException">The payload does not open: another user's, tampered with, or a lost key ring.</exception>
    public static string Open(IDataProtectionProvider protection, Guid userId, string stored) =>
        IsSealed(stored) ? Protector(protection, userId).Unprotect(stored[Prefix.Length..]) : stored;

    private static IDataProtector Protector(IDataProtectionProvider protection, Guid userId) =>
        protection.CreateProtector(Purpose, userId.ToString("N"));
}
