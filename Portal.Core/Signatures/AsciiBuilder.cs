using System.Buffers;

namespace Portal.Core.Signatures;

/// <summary>
/// Bytes written into a caller's (stack) buffer, moving to pooled arrays when it fills, up to a
/// maximum: past it nothing more is written and <see cref="Overflowed"/> is set, so a hostile
/// message cannot make the base grow without bound. Writers pass only ASCII or Latin-1 text, one
/// byte per character. Dispose returns the pooled array.
/// </summary>
internal ref struct AsciiBuilder
{
    private Span<byte> _span;
    private byte[]? _rented;
    private int _length;
    private readonly int _max;

    public AsciiBuilder(Span<byte> initial, int max)
    {
        _span = initial;
        _rented = null;
        _length = 0;
        _max = max;
        Overflowed = false;
    }

    /// <summary>True once a write would have passed the maximum; the content is then incomplete.</summary>
    public bool Overflowed { get; private set; }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _span[.._length];

    public void Append(byte value)
    {
        if (_length < _span.Length)
        {
            _span[_length++] = value;
            return;
        }

        if (Grow(1))
        {
            _span[_length++] = value;
        }
    }

    public void Append(char value) => Append((byte)value);

    /// <summary>Appends characters that the caller knows are ASCII (or Latin-1), one byte each.</summary>
    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _span.Length && !Grow(text.Length))
        {
            return;
        }

        var destination = _span.Slice(_length, text.Length);
        // Most pieces of a signature base are a few characters long: a plain loop beats the
        // vectorised narrowing's set-up there. Latin-1 beyond ASCII is written one byte per character.
        if (text.Length < 24 || System.Text.Ascii.FromUtf16(text, destination, out _) != System.Buffers.OperationStatus.Done)
        {
            for (var i = 0; i < text.Length; i++)
            {
                destination[i] = (byte)text[i];
            }
        }

        _length += text.Length;
    }

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _span.Length && !Grow(bytes.Length))
        {
            return;
        }

        bytes.CopyTo(_span[_length..]);
        _length += bytes.Length;
    }

    /// <summary>Appends a copy of bytes already written (<paramref name="range"/> of <see cref="Written"/>).</summary>
    public void AppendCopy(Range range)
    {
        var (offset, length) = range.GetOffsetAndLength(_length);
        if (_length + length > _span.Length && !Grow(length))
        {
            return;
        }

        _span.Slice(offset, length).CopyTo(_span[_length..]);
        _length += length;
    }

    public void Append(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        Append(digits[..written]);
    }

    /// <summary>A span of <paramref name="count"/> bytes to fill in place (e.g. by a base64 encoder); empty after an overflow.</summary>
    public Span<byte> AppendSpan(int count)
    {
        if (_length + count > _span.Length && !Grow(count))
        {
            return [];
        }

        var span = _span.Slice(_length, count);
        _length += count;
        return span;
    }

    public readonly string ToLatin1String() => System.Text.Encoding.Latin1.GetString(Written);

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }

    private bool Grow(int needed)
    {
        if (Overflowed || (long)_length + needed > _max)
        {
            Overflowed = true;
            return false;
        }

        var size = (int)Math.Min(_max, Math.Max((long)_span.Length * 2, (long)_length + needed));
        var next = ArrayPool<byte>.Shared.Rent(size);
        _span[.._length].CopyTo(next);
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }

        _rented = next;
        _span = next;
        return true;
    }
}
