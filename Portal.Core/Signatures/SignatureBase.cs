using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace Portal.Core.Signatures;

/// <summary>
/// The signature base of RFC 9421 section 2.5: one line per covered component,
/// <c>"name";params: value</c>, then <c>"@signature-params": </c> and the signature's inner list
/// re-serialised (section 2.3), lines joined by LF without a final one.
/// </summary>
/// <remarks>
/// <para>
/// Derived components (section 2.2): <c>@method</c>, <c>@authority</c>, <c>@scheme</c>,
/// <c>@target-uri</c>, <c>@request-target</c>, <c>@path</c>, <c>@query</c>,
/// <c>@query-param;name=…</c> and, for responses, <c>@status</c>. HTTP fields (section 2.1) by
/// lower-case name: each line trimmed, lines joined with ", "; with <c>sf</c> re-serialised strictly
/// (known structured fields only), with <c>key</c> one dictionary member, with <c>bs</c> each line as
/// a byte sequence. Refused: <c>req</c> and <c>tr</c> (this product verifies requests only, and
/// reads no trailers), unknown parameters and components, a component listed twice, an absent
/// field, a query parameter absent or repeated (section 2.2.8 forbids signing a repeated one), and
/// values with characters outside printable ASCII (and tab), since a base built from text that a
/// server re-decoded could differ from the bytes the client signed.
/// </para>
/// <para>
/// Errors are fixed English texts naming the problem, never a piece of the message.
/// </para>
/// </remarks>
public static class SignatureBase
{
    /// <summary>The largest signature base built, in bytes; a larger one is refused.</summary>
    public const int MaxLength = 64 * 1024;

    // Structured fields whose type is known (RFC 9421 section 2.1.1 requires knowing it for "sf").
    private static readonly FrozenSet<string> DictionaryFields = FrozenSet.Create(StringComparer.Ordinal,
        ["signature-input", "signature", "accept-signature", "content-digest", "repr-digest", "want-content-digest", "want-repr-digest", "priority"]);

    // Printable ASCII and tab: what a covered value may hold.
    private static readonly SearchValues<char> ValueCharacters = SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static readonly FrozenSet<string> ListFields = FrozenSet.Create(StringComparer.Ordinal, ["cache-status", "proxy-status"]);

    /// <summary>
    /// Builds the base of the signature whose covered components and parameters are
    /// <paramref name="signatureParameters"/> (its <c>Signature-Input</c> member).
    /// </summary>
    public static bool TryCreate(SignedMessage message, SfInnerList signatureParameters, out byte[] signatureBase, out string? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(signatureParameters);
        var builder = new AsciiBuilder(Scratch, MaxLength);
        try
        {
            if (!TryWrite(message, signatureParameters, ref builder, out error))
            {
                signatureBase = [];
                return false;
            }

            signatureBase = builder.Written.ToArray();
            return true;
        }
        finally
        {
            builder.Dispose();
        }
    }

    [ThreadStatic]
    private static byte[]? t_scratch;

    /// <summary>
    /// A per-thread 1 KiB buffer to build a base in: no zeroing as a stackalloc would do, no pool
    /// round trip. Building a base never calls out to code that could build another on this thread.
    /// </summary>
    internal static Span<byte> Scratch => t_scratch ??= new byte[1024];

    internal static bool TryWrite(SignedMessage message, SfInnerList signatureParameters, ref AsciiBuilder builder, out string? error)
    {
        var components = signatureParameters.ItemSpan;

        // Where each component's identifier was written, to copy it into @signature-params
        // rather than serialise it a second time.
        Span<Range> identifiers = stackalloc Range[components.Length];
        for (var i = 0; i < components.Length; i++)
        {
            var component = components[i];
            if (component.Value.Type != SfType.String)
            {
                error = Errors.NotAString;
                return false;
            }

            for (var j = 0; j < i; j++)
            {
                if (SameIdentifier(component, components[j]))
                {
                    error = Errors.Duplicate;
                    return false;
                }
            }

            var start = builder.Length;
            StructuredFields.WriteBareItem(ref builder, component.Value);
            StructuredFields.WriteParameters(ref builder, component.Parameters);
            identifiers[i] = start..builder.Length;
            builder.Append(": ");
            var name = component.Value.Text!;
            error = name.StartsWith('@')
                ? WriteDerived(message, name, component.Parameters, ref builder)
                : WriteField(message, name, component.Parameters, ref builder);
            if (error is not null)
            {
                return false;
            }

            builder.Append('\n');
        }

        // Section 2.3: the inner list of the covered components with the signature's parameters.
        builder.Append("\"@signature-params\": (");
        for (var i = 0; i < identifiers.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.AppendCopy(identifiers[i]);
        }

        builder.Append(')');
        StructuredFields.WriteParameters(ref builder, signatureParameters.Parameters);
        if (builder.Overflowed)
        {
            error = Errors.TooLarge;
            return false;
        }

        error = null;
        return true;
    }

    private static string? WriteDerived(SignedMessage message, string name, SfParameters parameters, ref AsciiBuilder builder)
    {
        var isQueryParam = name == "@query-param";
        foreach (var (key, _) in parameters.AsSpan())
        {
            if (key == "req")
            {
                return Errors.Req;
            }

            if (!(isQueryParam && key == "name"))
            {
                return Errors.UnknownParameter;
            }
        }

        switch (name)
        {
            case "@method":
                return message.Method.Length == 0 ? Errors.BadValue : AppendValue(ref builder, message.Method);
            case "@authority":
                return AppendValue(ref builder, message.Authority);
            case "@scheme":
                return AppendValue(ref builder, message.Scheme);
            case "@target-uri":
                if (AppendValue(ref builder, message.Scheme) is { } schemeError)
                {
                    return schemeError;
                }

                builder.Append("://");
                return AppendValue(ref builder, message.Authority) ?? AppendRequestTarget(message, ref builder);
            case "@request-target":
                return AppendRequestTarget(message, ref builder);
            case "@path":
                return AppendValue(ref builder, Path(message));
            case "@query":
                builder.Append('?');
                return AppendValue(ref builder, message.Query ?? "");
            case "@query-param":
                if (!parameters.TryGet("name", out var encodedName) || encodedName.Type != SfType.String)
                {
                    return Errors.QueryParamName;
                }

                var values = QueryParameters.ValuesOf(message.Query, encodedName.Text!);
                return values.Count switch
                {
                    0 => Errors.QueryParamAbsent,
                    > 1 => Errors.QueryParamRepeated,
                    _ => AppendValue(ref builder, values[0]),
                };
            case "@status":
                if (message.Status is not { } status || status is < 100 or > 999)
                {
                    return Errors.Status;
                }

                builder.Append(status);
                return null;
            case "@signature-params":
                return Errors.SignatureParams;
            default:
                return Errors.UnknownDerived;
        }
    }

    private static string? AppendRequestTarget(SignedMessage message, ref AsciiBuilder builder)
    {
        if (AppendValue(ref builder, Path(message)) is { } error)
        {
            return error;
        }

        if (message.Query is { } query)
        {
            builder.Append('?');
            return AppendValue(ref builder, query);
        }

        return null;
    }

    private static string Path(SignedMessage message) => message.Path.Length == 0 ? "/" : message.Path;

    private static string? WriteField(SignedMessage message, string name, SfParameters parameters, ref AsciiBuilder builder)
    {
        if (!IsFieldName(name))
        {
            return Errors.FieldName;
        }

        bool sf = false, bs = false;
        string? key = null;
        foreach (var (parameter, value) in parameters.AsSpan())
        {
            switch (parameter)
            {
                case "sf" when value.Type == SfType.Boolean && value.Boolean:
                    sf = true;
                    break;
                case "bs" when value.Type == SfType.Boolean && value.Boolean:
                    bs = true;
                    break;
                case "key" when value.Type == SfType.String:
                    key = value.Text;
                    break;
                case "req":
                    return Errors.Req;
                case "tr":
                    return Errors.Tr;
                default:
                    return Errors.UnknownParameter;
            }
        }

        if (bs && (sf || key is not null))
        {
            return Errors.BsWithSf;
        }

        var lines = message.Headers.TryGetValue(name, out var found) ? found : StringValues.Empty;
        if (lines.Count == 0)
        {
            return Errors.FieldAbsent;
        }

        if (bs)
        {
            return AppendByteSequences(lines, ref builder);
        }

        if (!sf && key is null)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(", ");
                }

                if (AppendValue(ref builder, Trim(lines[i])) is { } error)
                {
                    return error;
                }
            }

            return null;
        }

        return AppendStructured(name, lines, key, ref builder);
    }

    // Section 2.1.1 and 2.1.2: parse the combined value as its known type, write it back strictly.
    private static string? AppendStructured(string name, StringValues lines, string? key, ref AsciiBuilder builder)
    {
        var combined = SignedMessage.JoinFieldValues(lines);
        if (DictionaryFields.Contains(name))
        {
            if (!StructuredFields.TryParseDictionary(combined, out var dictionary, out _))
            {
                return Errors.BadStructuredField;
            }

            if (key is null)
            {
                StructuredFields.Write(ref builder, dictionary);
                return null;
            }

            if (!dictionary.TryGetValue(key, out var member))
            {
                return Errors.KeyAbsent;
            }

            StructuredFields.Write(ref builder, member);
            return null;
        }

        if (key is not null)
        {
            return Errors.KeyNotDictionary;
        }

        if (ListFields.Contains(name))
        {
            if (!StructuredFields.TryParseList(combined, out var list, out _))
            {
                return Errors.BadStructuredField;
            }

            StructuredFields.Write(ref builder, list);
            return null;
        }

        return Errors.UnknownStructuredField;
    }

    // Section 2.1.3: each line, trimmed, as a byte sequence; lines joined with ", ".
    private static string? AppendByteSequences(StringValues lines, ref AsciiBuilder builder)
    {
        Span<byte> buffer = stackalloc byte[512];
        for (var i = 0; i < lines.Count; i++)
        {
            var line = Trim(lines[i]);
            foreach (var c in line)
            {
                if (c > 0xFF)
                {
                    return Errors.NotAscii;
                }
            }

            var bytes = line.Length <= buffer.Length ? buffer[..line.Length] : new byte[line.Length];
            for (var j = 0; j < line.Length; j++)
            {
                bytes[j] = (byte)line[j];
            }

            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(':');
            var span = builder.AppendSpan(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
            if (!span.IsEmpty)
            {
                Base64.EncodeToUtf8(bytes, span, out _, out _);
            }

            builder.Append(':');
        }

        return null;
    }

    private static ReadOnlySpan<char> Trim(string? line) => line.AsSpan().Trim(" \t");

    private static string? AppendValue(ref AsciiBuilder builder, scoped ReadOnlySpan<char> value)
    {
        if (value.ContainsAnyExcept(ValueCharacters))
        {
            return Errors.NotAscii;
        }

        builder.Append(value);
        return null;
    }

    private static bool SameIdentifier(SfItem a, SfItem b)
    {
        if (!string.Equals(a.Value.Text, b.Value.Text, StringComparison.Ordinal) || a.Parameters.Count != b.Parameters.Count)
        {
            return false;
        }

        var left = a.Parameters.AsSpan();
        var right = b.Parameters.AsSpan();
        for (var i = 0; i < left.Length; i++)
        {
            if (!right.Contains(left[i]))
            {
                return false;
            }
        }

        return true;
    }

    // A lower-case field name (RFC 9110 token, upper case excluded, as RFC 9421 section 2.1 lowercases them).
    private static bool IsFieldName(string name)
    {
        if (name.Length is 0 or > 128)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*'
                or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why a base cannot be built: fixed texts, safe to show.</summary>
    internal static class Errors
    {
        public const string NotAString = "a covered component is not a string";
        public const string Duplicate = "a covered component is listed twice";
        public const string Req = "the req parameter is not supported";
        public const string Tr = "the tr parameter is not supported";
        public const string UnknownParameter = "a covered component has an unknown parameter";
        public const string UnknownDerived = "a covered component is an unknown derived component";
        public const string SignatureParams = "@signature-params cannot be covered";
        public const string QueryParamName = "@query-param needs a name parameter";
        public const string QueryParamAbsent = "a covered query parameter is absent";
        public const string QueryParamRepeated = "a covered query parameter appears more than once";
        public const string Status = "@status is only for responses";
        public const string FieldName = "a covered field name is not a lower-case field name";
        public const string FieldAbsent = "a covered field is absent";
        public const string BsWithSf = "bs cannot be combined with sf or key";
        public const string BadStructuredField = "a covered structured field is malformed";
        public const string UnknownStructuredField = "sf is only for known structured fields";
        public const string KeyNotDictionary = "key is only for dictionary fields";
        public const string KeyAbsent = "a covered dictionary member is absent";
        public const string NotAscii = "a covered value holds characters outside printable ASCII";
        public const string BadValue = "a covered value is empty";
        public const string TooLarge = "the signature base is too large";
    }
}
