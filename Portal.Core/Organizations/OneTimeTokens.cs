using System.Security.Cryptography;

namespace Portal.Core.Organizations;

/// <summary>
/// Random link tokens (setup, invitations). 256 random bits make a plain SHA-256 enough to store:
/// unlike a password there is nothing to guess, so no slow hash or pepper is needed.
/// </summary>
public static class OneTimeTokens
{
    public static string Generate() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
