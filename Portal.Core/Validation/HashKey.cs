using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Portal.Core.Validation;

/// <summary>A 32-byte token HMAC as a value type, so cache lookups by hash allocate nothing.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct HashKey : IEquatable<HashKey>
{
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    public HashKey(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != 32)
        {
            throw new ArgumentException("A token hash has 32 bytes.", nameof(hash));
        }

        this = MemoryMarshal.Read<HashKey>(hash);
    }

    /// <summary>
    /// Constant-time: every byte is compared whatever the first difference, so the cache's own key
    /// comparison is the constant-time hash comparison.
    /// </summary>
    public bool Equals(HashKey other) => ((_a ^ other._a) | (_b ^ other._b) | (_c ^ other._c) | (_d ^ other._d)) == 0;

    public static bool FixedTimeEquals(ReadOnlySpan<byte> stored, in HashKey computed) =>
        CryptographicOperations.FixedTimeEquals(stored, AsBytes(in computed));

    public override bool Equals(object? obj) => obj is HashKey other && Equals(other);

    // The bytes are an HMAC output: any eight of them are already uniformly distributed.
    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    public byte[] ToArray() => AsBytes(in this).ToArray();

    private static ReadOnlySpan<byte> AsBytes(in HashKey key) =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<HashKey>(in Unsafe.AsRef(in key)));
}
