namespace Portal.Core.Signatures;

/// <summary>The bare item types of RFC 8941 section 3.3.</summary>
public enum SfType
{
    Integer,
    Decimal,
    String,
    Token,
    ByteSequence,
    Boolean,
}

/// <summary>
/// An RFC 8941 bare item: an integer (±999,999,999,999,999), a decimal (at most 12 integer and 3
/// fractional digits, held in thousandths), a string (printable ASCII), a token, a byte sequence
/// or a boolean.
/// </summary>
public readonly struct SfBareItem : IEquatable<SfBareItem>
{
    // Integers, decimals (in thousandths: 12 + 3 digits fit a long) and booleans (0 or 1).
    private readonly long _number;

    // The text of a string or token, or the bytes of a byte sequence.
    private readonly object? _reference;

    private SfBareItem(SfType type, long number, object? reference)
    {
        Type = type;
        _number = number;
        _reference = reference;
    }

    /// <summary>The boolean true, the value of a parameter or member given by its key alone.</summary>
    public static SfBareItem True { get; } = new(SfType.Boolean, 1, null);

    public SfType Type { get; }

    /// <summary>The integer; 0 for other types.</summary>
    public long Integer => Type == SfType.Integer ? _number : 0;

    /// <summary>A decimal's value; 0 for other types.</summary>
    public decimal Decimal => Type == SfType.Decimal ? _number / 1000m : 0m;

    /// <summary>A decimal's value in thousandths (exact); 0 for other types.</summary>
    public long DecimalThousandths => Type == SfType.Decimal ? _number : 0;

    /// <summary>The text of a string or token; null for other types.</summary>
    public string? Text => Type is SfType.String or SfType.Token ? (string?)_reference : null;

    /// <summary>The bytes of a byte sequence (not to be changed); null for other types.</summary>
    public byte[]? Bytes => Type == SfType.ByteSequence ? (byte[]?)_reference : null;

    public bool Boolean => Type == SfType.Boolean && _number != 0;

    /// <summary>True when this is the string <paramref name="text"/> (ordinal).</summary>
    public bool IsString(string text) => Type == SfType.String && string.Equals((string?)_reference, text, StringComparison.Ordinal);

    /// <exception cref="ArgumentOutOfRangeException">Outside ±999,999,999,999,999.</exception>
    public static SfBareItem FromInteger(long value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Math.Abs(value), StructuredFields.MaxInteger, nameof(value));
        return new SfBareItem(SfType.Integer, value, null);
    }

    /// <summary>A decimal of <paramref name="thousandths"/> / 1000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than 12 integer digits.</exception>
    public static SfBareItem FromDecimalThousandths(long thousandths)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Math.Abs(thousandths), StructuredFields.MaxDecimalThousandths, nameof(thousandths));
        return new SfBareItem(SfType.Decimal, thousandths, null);
    }

    /// <exception cref="ArgumentException">A character outside printable ASCII (0x20-0x7E).</exception>
    public static SfBareItem FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                throw new ArgumentException("An sf-string holds printable ASCII only.", nameof(value));
            }
        }

        return new SfBareItem(SfType.String, 0, value);
    }

    /// <exception cref="ArgumentException">Not an RFC 8941 token.</exception>
    public static SfBareItem FromToken(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!StructuredFields.IsToken(value))
        {
            throw new ArgumentException("Not an sf-token.", nameof(value));
        }

        return new SfBareItem(SfType.Token, 0, value);
    }

    public static SfBareItem FromBytes(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new SfBareItem(SfType.ByteSequence, 0, value);
    }

    public static SfBareItem FromBoolean(bool value) => value ? True : new SfBareItem(SfType.Boolean, 0, null);

    // The parser has already checked what these hold.
    internal static SfBareItem StringUnchecked(string value) => new(SfType.String, 0, value);

    internal static SfBareItem TokenUnchecked(string value) => new(SfType.Token, 0, value);

    internal static SfBareItem IntegerUnchecked(long value) => new(SfType.Integer, value, null);

    internal static SfBareItem DecimalUnchecked(long thousandths) => new(SfType.Decimal, thousandths, null);

    public bool Equals(SfBareItem other) => Type == other.Type && _number == other._number && Type switch
    {
        SfType.String or SfType.Token => string.Equals((string?)_reference, (string?)other._reference, StringComparison.Ordinal),
        SfType.ByteSequence => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
        _ => true,
    };

    public override bool Equals(object? obj) => obj is SfBareItem other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, _number, Type is SfType.String or SfType.Token ? _reference : null);

    public override string ToString() => StructuredFields.Serialize(this);
}

/// <summary>One parameter of an item or inner list (RFC 8941 section 3.1.2).</summary>
public readonly record struct SfParameter(string Key, SfBareItem Value);

/// <summary>The ordered parameters of an item, inner list or member; empty by default.</summary>
public readonly struct SfParameters
{
    private static readonly SfParameter[] None = [];
    private readonly SfParameter[]? _items;

    public SfParameters(SfParameter[] items) => _items = items;

    public static SfParameters Empty => default;

    public int Count => _items?.Length ?? 0;

    public SfParameter this[int index] => (_items ?? None)[index];

    public ReadOnlySpan<SfParameter> AsSpan() => _items ?? None;

    /// <summary>The value of the parameter <paramref name="key"/> (the last one, as RFC 8941 reads duplicates).</summary>
    public bool TryGet(string key, out SfBareItem value)
    {
        var items = AsSpan();
        for (var i = items.Length - 1; i >= 0; i--)
        {
            if (string.Equals(items[i].Key, key, StringComparison.Ordinal))
            {
                value = items[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public bool Contains(string key) => TryGet(key, out _);
}

/// <summary>An item: a bare item with its parameters (RFC 8941 section 3.3).</summary>
public readonly record struct SfItem(SfBareItem Value, SfParameters Parameters)
{
    public override string ToString() => StructuredFields.Serialize(this);
}

/// <summary>An inner list: items with the list's own parameters (RFC 8941 section 3.1.1).</summary>
public sealed class SfInnerList(SfItem[] items, SfParameters parameters)
{
    private readonly SfItem[] _items = items;

    public IReadOnlyList<SfItem> Items => _items;

    // The hot paths read the array directly: no interface calls, no boxed enumerator.
    internal ReadOnlySpan<SfItem> ItemSpan => _items;

    public SfParameters Parameters { get; } = parameters;

    public override string ToString() => StructuredFields.Serialize(this);
}

/// <summary>A member of a list or a dictionary's value: an item or an inner list.</summary>
public readonly struct SfMember
{
    private readonly SfInnerList? _innerList;

    public SfMember(SfItem item)
    {
        Item = item;
        _innerList = null;
    }

    public SfMember(SfInnerList innerList)
    {
        ArgumentNullException.ThrowIfNull(innerList);
        _innerList = innerList;
        Item = default;
    }

    public bool IsInnerList => _innerList is not null;

    /// <summary>The item; default when <see cref="IsInnerList"/>.</summary>
    public SfItem Item { get; }

    /// <summary>The inner list; null unless <see cref="IsInnerList"/>.</summary>
    public SfInnerList? InnerList => _innerList;

    /// <summary>The parameters of the item or of the inner list.</summary>
    public SfParameters Parameters => _innerList?.Parameters ?? Item.Parameters;

    public override string ToString() => StructuredFields.Serialize(this);
}

/// <summary>An RFC 8941 dictionary: ordered members with unique keys.</summary>
public sealed class SfDictionary
{
    private readonly KeyValuePair<string, SfMember>[] _members;

    public SfDictionary(KeyValuePair<string, SfMember>[] members) => _members = members;

    public int Count => _members.Length;

    public IReadOnlyList<KeyValuePair<string, SfMember>> Members => _members;

    internal ReadOnlySpan<KeyValuePair<string, SfMember>> MemberSpan => _members;

    public bool TryGetValue(string key, out SfMember member)
    {
        foreach (var pair in _members)
        {
            if (string.Equals(pair.Key, key, StringComparison.Ordinal))
            {
                member = pair.Value;
                return true;
            }
        }

        member = default;
        return false;
    }

    public override string ToString() => StructuredFields.Serialize(this);
}

/// <summary>An RFC 8941 list.</summary>
public sealed class SfList(SfMember[] members)
{
    public IReadOnlyList<SfMember> Members { get; } = members;

    public override string ToString() => StructuredFields.Serialize(this);
}
