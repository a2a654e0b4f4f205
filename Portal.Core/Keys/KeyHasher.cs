using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Keys;

/// <summary>HMAC-SHA256 of a token under a pepper version. The only form in which a token is stored.</summary>
public sealed class KeyHasher : IDisposable
{
    public const int HashSize = 32;

    // One keyed HMAC per thread and pepper version: reusing it skips the key schedule that a
    // one-shot HMAC repeats on every call, which is most of the cost for a short token.
    private readonly Dictionary<int, ThreadLocal<IncrementalHash>> _hmacs;

    public KeyHasher(PepperRing peppers)
    {
        Peppers = peppers;
        _hmacs = peppers.Versions.ToDictionary(
            v => v,
            v => new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, peppers[v]), trackAllValues: true));
    }

    public PepperRing Peppers { get; }

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
        var hmac = _hmacs[pepperVersion].Value!;
        hmac.AppendData(utf8[..length]);
        hmac.GetHashAndReset(destination);
    }

    public void Dispose()
    {
        foreach (var local in _hmacs.Values)
        {
            foreach (var hmac in local.Values)
            {
                hmac.Dispose();
            }

            local.Dispose();
        }
    }
}
