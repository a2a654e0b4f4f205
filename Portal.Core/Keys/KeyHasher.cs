using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Keys;

/// <summary>HMAC-SHA256 of a token under a pepper version. The only form in which a token is stored.</summary>
public sealed class KeyHasher(PepperRing peppers)
{
    public const int HashSize = 32;

    public PepperRing Peppers { get; } = peppers;

    public byte[] Hash(string token) => Hash(token, Peppers.CurrentVersion);

    public byte[] Hash(ReadOnlySpan<char> token, int pepperVersion)
    {
        var hash = new byte[HashSize];
        Hash(token, pepperVersion, hash);
        return hash;
    }

    /// <summary>Allocation-free form for the validation hot path.</summary>
    public void Hash(ReadOnlySpan<char> token, int pepperVersion, Span<byte> destination)
    {
        Span<byte> utf8 = stackalloc byte[ApiKeyToken.MaxLength * 3];
        var length = Encoding.UTF8.GetBytes(token, utf8);
        HMACSHA256.HashData(Peppers[pepperVersion], utf8[..length], destination);
    }
}
