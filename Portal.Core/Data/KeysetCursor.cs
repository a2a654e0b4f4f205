using System.Buffers.Binary;

namespace Portal.Core.Data;

/// <summary>
/// An opaque page cursor for lists ordered newest first by (time, id): the last row's values,
/// base64url-encoded. Clients pass it back unchanged.
/// </summary>
public readonly record struct KeysetCursor(DateTimeOffset At, Guid Id)
{
    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, At.UtcTicks);
        Id.TryWriteBytes(bytes[8..]);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Decodes a cursor; throws <see cref="InvalidRequestException"/> naming <c>cursor</c> for anything else.</summary>
    public static KeysetCursor Decode(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            var bytes = Convert.FromBase64String(base64);
            // A forged time part outside DateTimeOffset's range is as foreign as a wrong length.
            if (bytes.Length == 24 && BinaryPrimitives.ReadInt64BigEndian(bytes) is var ticks && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            {
                return new KeysetCursor(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes.AsSpan(8)));
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidRequestException("cursor", "The cursor is not one this API returned.");
    }
}
