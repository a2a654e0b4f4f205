using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Portal.Core.Audit;

/// <summary>
/// The packed form of a segment's records. Each distinct text is stored once and records refer to
/// it by number; times are offsets from the segment's oldest record (FirstAt). Layout (version 1):
/// <code>
/// version:u8  texts-offset:u32le  records:varint
/// (id:16 bytes big-endian  ticks-after-first:varint  latency-us:varint  7 × text-ref:varint)*
/// texts:varint  (length:varint utf8)*
/// </code>
/// Text references, in order: key hint, code, door, method, path, client IP, user agent; 0 is null,
/// n is the (n-1)th text. The texts come last so a segment is written in one pass.
/// Version 2 is version 1 with <c>count:varint</c> after <c>latency-us</c> in every record (how many
/// decisions the record stands for); a segment is written as version 2 only when one of its records
/// stands for more than one, and version 1 segments read with a count of 1.
/// Version 3 is version 2 with three more text references after the user agent: the scope the
/// request needed, the deciding endpoint rule's id and the rule (<c>GET /orders/{id}</c>); a segment
/// is written as version 3 only when one of its records names a scope or a rule, and earlier
/// versions read with none.
/// </summary>
public static class AuthenticationLogSegmentCodec
{
    private const byte Version = 1;
    private const byte CountedVersion = 2;
    private const byte ExplainedVersion = 3;
    private const int TextFields = 10;
    private const int MaxRecordLength = 16 + 10 + 5 + 5 + (TextFields * 5);

    /// <summary>
    /// Packs a batch into segments: the entries of each key, in arrival order, at most
    /// <see cref="AuthenticationLogSegment.MaxRecords"/> per segment. Each entry gets a time-ordered
    /// id in <paramref name="ids"/>.
    /// </summary>
    public static void Pack(ReadOnlySpan<AuthenticationLogEntry> batch, Span<Guid> ids, ICollection<AuthenticationLogSegment> segments)
    {
        ids = ids[..batch.Length];
        TimeOrderedIds.Fill(batch, ids);

        // Gateways send a few keys over and over: most entries belong to the previous entry's key.
        var runs = new Dictionary<(Guid?, Guid?, Guid?), List<int>>();
        List<int>? last = null;
        var lastKey = default((Guid?, Guid?, Guid?));
        for (var i = 0; i < batch.Length; i++)
        {
            var key = (batch[i].KeyId, batch[i].OrganizationId, batch[i].OwnerId);
            if (last is null || key != lastKey)
            {
                if (!runs.TryGetValue(key, out last))
                {
                    runs.Add(key, last = []);
                }

                lastKey = key;
            }

            last.Add(i);
            if (last.Count == AuthenticationLogSegment.MaxRecords)
            {
                segments.Add(Encode(batch, CollectionsMarshal.AsSpan(last), ids));
                last.Clear();
            }
        }

        foreach (var run in runs.Values)
        {
            if (run.Count > 0)
            {
                segments.Add(Encode(batch, CollectionsMarshal.AsSpan(run), ids));
            }
        }
    }

    /// <summary>
    /// Packs the entries of <paramref name="batch"/> at <paramref name="indexes"/> (all of one key)
    /// with their ids into a segment. The segment takes its first record's id, unique already.
    /// </summary>
    public static AuthenticationLogSegment Encode(ReadOnlySpan<AuthenticationLogEntry> batch, ReadOnlySpan<int> indexes, ReadOnlySpan<Guid> ids)
    {
        if (indexes.IsEmpty || indexes.Length > AuthenticationLogSegment.MaxRecords)
        {
            throw new ArgumentException($"A segment holds 1 to {AuthenticationLogSegment.MaxRecords} entries.", nameof(indexes));
        }

        var firstTicks = long.MaxValue;
        var lastTicks = long.MinValue;
        var counted = false;
        var explained = false;
        foreach (var i in indexes)
        {
            firstTicks = Math.Min(firstTicks, batch[i].OccurredAt.UtcTicks);
            lastTicks = Math.Max(lastTicks, batch[i].OccurredAt.UtcTicks);
            counted |= batch[i].Count != 1;
            explained |= batch[i].Scope is not null || batch[i].RuleId is not null || batch[i].Rule is not null;
        }

        counted |= explained;

        var texts = new TextTable();
        var buffer = new ArrayBufferWriter<byte>((indexes.Length * 24) + 256);
        var header = buffer.GetSpan(1 + 4 + 5);
        header[0] = explained ? ExplainedVersion : counted ? CountedVersion : Version;
        var headerLength = 5 + WriteVarint(header[5..], (uint)indexes.Length);
        buffer.Advance(headerLength);
        foreach (var i in indexes)
        {
            var entry = batch[i];
            var span = buffer.GetSpan(MaxRecordLength);
            ids[i].TryWriteBytes(span, bigEndian: true, out _);
            var at = 16;
            at += WriteVarint(span[at..], (ulong)(entry.OccurredAt.UtcTicks - firstTicks));
            at += WriteVarint(span[at..], (uint)Math.Max(0, entry.LatencyMicroseconds));
            if (counted)
            {
                at += WriteVarint(span[at..], (uint)Math.Max(1, entry.Count));
            }

            at += WriteVarint(span[at..], texts.Ref(0, entry.KeyHint));
            at += WriteVarint(span[at..], texts.Ref(1, entry.Code));
            at += WriteVarint(span[at..], texts.Ref(2, entry.Door));
            at += WriteVarint(span[at..], texts.Ref(3, entry.Method));
            at += WriteVarint(span[at..], texts.Ref(4, entry.Path));
            at += WriteVarint(span[at..], texts.Ref(5, entry.ClientIp));
            at += WriteVarint(span[at..], texts.Ref(6, entry.UserAgent));
            if (explained)
            {
                at += WriteVarint(span[at..], texts.Ref(7, entry.Scope));
                at += WriteVarint(span[at..], texts.Ref(8, entry.RuleId));
                at += WriteVarint(span[at..], texts.Ref(9, entry.Rule));
            }

            buffer.Advance(at);
        }

        var textsOffset = buffer.WrittenCount;
        WriteVarint(buffer, (uint)texts.Values.Count);
        foreach (var text in texts.Values)
        {
            var length = Encoding.UTF8.GetByteCount(text);
            WriteVarint(buffer, (uint)length);
            buffer.Advance(Encoding.UTF8.GetBytes(text, buffer.GetSpan(length)));
        }

        var records = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(records.AsSpan(1), textsOffset);
        var first = batch[indexes[0]];
        return new AuthenticationLogSegment
        {
            Id = ids[indexes[0]],
            OrganizationId = first.OrganizationId,
            KeyId = first.KeyId,
            OwnerId = first.OwnerId,
            FirstAt = new DateTimeOffset(firstTicks, TimeSpan.Zero),
            LastAt = new DateTimeOffset(lastTicks, TimeSpan.Zero),
            Count = indexes.Length,
            Records = records,
        };
    }

    /// <summary>The segment's records, in the order they arrived.</summary>
    public static AuthenticationLogRecord[] Decode(AuthenticationLogSegment segment)
    {
        var data = segment.Records.AsSpan();
        if (data.IsEmpty || data[0] is not (Version or CountedVersion or ExplainedVersion))
        {
            throw new InvalidDataException($"Authentication log segment {segment.Id} has an unknown layout.");
        }

        var textsAt = BinaryPrimitives.ReadInt32LittleEndian(data[1..]);
        var texts = new string[ReadVarint(data, ref textsAt)];
        for (var i = 0; i < texts.Length; i++)
        {
            var length = (int)ReadVarint(data, ref textsAt);
            texts[i] = Encoding.UTF8.GetString(data.Slice(textsAt, length));
            textsAt += length;
        }

        var at = 5;
        var records = new AuthenticationLogRecord[ReadVarint(data, ref at)];
        var firstTicks = segment.FirstAt.UtcTicks;
        var explained = data[0] == ExplainedVersion;
        var counted = explained || data[0] == CountedVersion;
        for (var i = 0; i < records.Length; i++)
        {
            var id = new Guid(data.Slice(at, 16), bigEndian: true);
            at += 16;
            var ticks = firstTicks + (long)ReadVarint(data, ref at);
            var latency = (int)ReadVarint(data, ref at);
            var count = counted ? (int)Math.Min(int.MaxValue, ReadVarint(data, ref at)) : 1;
            records[i] = new AuthenticationLogRecord
            {
                Id = id,
                OccurredAt = new DateTimeOffset(ticks, TimeSpan.Zero),
                LatencyMicroseconds = latency,
                Count = count,
                KeyId = segment.KeyId,
                OrganizationId = segment.OrganizationId,
                OwnerId = segment.OwnerId,
                KeyHint = Text(texts, ReadVarint(data, ref at)),
                Code = Text(texts, ReadVarint(data, ref at)) ?? "",
                Door = Text(texts, ReadVarint(data, ref at)) ?? "",
                Method = Text(texts, ReadVarint(data, ref at)),
                Path = Text(texts, ReadVarint(data, ref at)),
                ClientIp = Text(texts, ReadVarint(data, ref at)),
                UserAgent = Text(texts, ReadVarint(data, ref at)),
            };
            if (explained)
            {
                records[i].Scope = Text(texts, ReadVarint(data, ref at));
                records[i].RuleId = Text(texts, ReadVarint(data, ref at)) is { } ruleId && Guid.TryParse(ruleId, out var parsed) ? parsed : null;
                records[i].Rule = Text(texts, ReadVarint(data, ref at));
            }
        }

        return records;
    }

    private static string? Text(string[] texts, ulong reference) => reference == 0 ? null : texts[(int)reference - 1];

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static void WriteVarint(ArrayBufferWriter<byte> writer, ulong value) => writer.Advance(WriteVarint(writer.GetSpan(10), value));

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("An authentication log segment holds a malformed number.");
    }

    /// <summary>
    /// Numbers each distinct text once. Consecutive records mostly repeat the same string instances
    /// (the code constants, a thread's reused hint), so each field first compares with the previous
    /// record's by reference before hashing.
    /// </summary>
    private sealed class TextTable
    {
        private readonly Dictionary<string, uint> _numbers = new(StringComparer.Ordinal);
        private readonly string?[] _lastText = new string?[TextFields];
        private readonly uint[] _lastRef = new uint[TextFields];

        public List<string> Values { get; } = [];

        public uint Ref(int field, string? text)
        {
            if (text is null)
            {
                return 0;
            }

            if (ReferenceEquals(text, _lastText[field]))
            {
                return _lastRef[field];
            }

            if (!_numbers.TryGetValue(text, out var number))
            {
                number = (uint)Values.Count + 1;
                _numbers.Add(text, number);
                Values.Add(text);
            }

            _lastText[field] = text;
            _lastRef[field] = number;
            return number;
        }
    }
}
