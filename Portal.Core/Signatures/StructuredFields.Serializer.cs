using System.Buffers.Text;

namespace Portal.Core.Signatures;

/// <summary>RFC 8941 section 4.1: serialising dictionaries, lists, inner lists, items and parameters.</summary>
public static partial class StructuredFields
{
    public static string Serialize(SfDictionary dictionary)
    {
        var builder = new AsciiBuilder(stackalloc byte[256], MaxFieldLength * 2);
        try
        {
            Write(ref builder, dictionary);
            return builder.ToLatin1String();
        }
        finally
        {
            builder.Dispose();
        }
    }

    public static string Serialize(SfList list)
    {
        var builder = new AsciiBuilder(stackalloc byte[256], MaxFieldLength * 2);
        try
        {
            Write(ref builder, list);
            return builder.ToLatin1String();
        }
        finally
        {
            builder.Dispose();
        }
    }

    public static string Serialize(SfMember member)
    {
        var builder = new AsciiBuilder(stackalloc byte[256], MaxFieldLength * 2);
        try
        {
            Write(ref builder, member);
            return builder.ToLatin1String();
        }
        finally
        {
            builder.Dispose();
        }
    }

    public static string Serialize(SfInnerList innerList) => Serialize(new SfMember(innerList));

    public static string Serialize(SfItem item) => Serialize(new SfMember(item));

    public static string Serialize(SfBareItem item) => Serialize(new SfMember(new SfItem(item, SfParameters.Empty)));

    internal static void Write(ref AsciiBuilder builder, SfDictionary dictionary)
    {
        var first = true;
        foreach (var (key, member) in dictionary.MemberSpan)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            builder.Append(key);
            if (!member.IsInnerList && member.Item.Value.Type == SfType.Boolean && member.Item.Value.Boolean)
            {
                WriteParameters(ref builder, member.Item.Parameters);
            }
            else
            {
                builder.Append('=');
                Write(ref builder, member);
            }
        }
    }

    internal static void Write(ref AsciiBuilder builder, SfList list)
    {
        var first = true;
        foreach (var member in list.Members)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            Write(ref builder, member);
        }
    }

    internal static void Write(ref AsciiBuilder builder, SfMember member)
    {
        if (member.InnerList is { } innerList)
        {
            builder.Append('(');
            var items = innerList.ItemSpan;
            for (var i = 0; i < items.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(' ');
                }

                var item = items[i];
                WriteBareItem(ref builder, item.Value);
                WriteParameters(ref builder, item.Parameters);
            }

            builder.Append(')');
            WriteParameters(ref builder, innerList.Parameters);
        }
        else
        {
            WriteBareItem(ref builder, member.Item.Value);
            WriteParameters(ref builder, member.Item.Parameters);
        }
    }

    internal static void WriteParameters(ref AsciiBuilder builder, SfParameters parameters)
    {
        foreach (var (key, value) in parameters.AsSpan())
        {
            builder.Append(';');
            builder.Append(key);
            if (!(value.Type == SfType.Boolean && value.Boolean))
            {
                builder.Append('=');
                WriteBareItem(ref builder, value);
            }
        }
    }

    internal static void WriteBareItem(ref AsciiBuilder builder, SfBareItem item)
    {
        switch (item.Type)
        {
            case SfType.Integer:
                builder.Append(item.Integer);
                break;
            case SfType.Decimal:
                WriteDecimal(ref builder, item.DecimalThousandths);
                break;
            case SfType.String:
                builder.Append('"');
                var text = item.Text!.AsSpan();
                if (!NeedsEscape(text))
                {
                    builder.Append(text);
                }
                else
                {
                    foreach (var c in text)
                    {
                        if (c is '"' or '\\')
                        {
                            builder.Append('\\');
                        }

                        builder.Append(c);
                    }
                }

                builder.Append('"');
                break;
            case SfType.Token:
                builder.Append(item.Text!);
                break;
            case SfType.ByteSequence:
                var bytes = item.Bytes!;
                builder.Append(':');
                var span = builder.AppendSpan(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
                if (!span.IsEmpty)
                {
                    Base64.EncodeToUtf8(bytes, span, out _, out _);
                }

                builder.Append(':');
                break;
            case SfType.Boolean:
                builder.Append(item.Boolean ? "?1" : "?0");
                break;
        }
    }

    private static bool NeedsEscape(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                return true;
            }
        }

        return false;
    }

    // Section 4.1.5: at least one and at most three fractional digits, trailing zeros dropped.
    private static void WriteDecimal(ref AsciiBuilder builder, long thousandths)
    {
        if (thousandths < 0)
        {
            builder.Append('-');
            thousandths = -thousandths;
        }

        builder.Append(thousandths / 1000);
        builder.Append('.');
        var fraction = thousandths % 1000;
        builder.Append((char)('0' + (fraction / 100)));
        if (fraction % 100 != 0)
        {
            builder.Append((char)('0' + (fraction / 10 % 10)));
            if (fraction % 10 != 0)
            {
                builder.Append((char)('0' + (fraction % 10)));
            }
        }
    }
}
