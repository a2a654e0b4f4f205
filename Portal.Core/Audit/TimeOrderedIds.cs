using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Portal.Core.Audit;

/// <summary>
/// Version 7 GUIDs (RFC 9562: Unix milliseconds, then random bits) for a whole batch of records,
/// from one call to the random number generator per chunk. <see cref="Guid.CreateVersion7()"/>
/// asks the operating system for randomness once per id, which at gateway rates is a system call
/// per logged request.
/// </summary>
internal static class TimeOrderedIds
{
    private const int Chunk = 256;

    /// <summary>Gives <c>ids[i]</c> the time of <c>entries[i]</c>, so ids sort like the records they name.</summary>
    public static void Fill(ReadOnlySpan<AuthenticationLogEntry> entries, Span<Guid> ids)
    {
        Span<byte> random = stackalloc byte[Chunk * 16];
        Span<byte> time = stackalloc byte[8];
        for (var start = 0; start < entries.Length; start += Chunk)
        {
            var count = Math.Min(Chunk, entries.Length - start);
            RandomNumberGenerator.Fill(random[..(count * 16)]);
            for (var i = 0; i < count; i++)
            {
                var bytes = random.Slice(i * 16, 16);
                var milliseconds = entries[start + i].OccurredAt.ToUnixTimeMilliseconds();
                BinaryPrimitives.WriteInt64BigEndian(time, milliseconds);
                time[2..].CopyTo(bytes);
                bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
                bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
                ids[start + i] = new Guid(bytes, bigEndian: true);
            }
        }
    }
}
