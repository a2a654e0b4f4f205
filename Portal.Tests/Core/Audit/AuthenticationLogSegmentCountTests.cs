using Portal.Core.Audit;

namespace Portal.Tests.Core.Audit;

/// <summary>The count of folded keyless decisions in the segment layout, and segments stored before it.</summary>
public sealed class AuthenticationLogSegmentCountTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Organization = Guid.NewGuid();

    [Fact]
    public void SegmentWithACountedRecord_IsVersion2_AndGivesEveryCountBack()
    {
        AuthenticationLogEntry[] batch = [Entry("/a") with { Count = 10_000 }, Entry("/b"), Entry("/c") with { Count = int.MaxValue }];

        var segment = AuthenticationLogSegmentCodec.Encode(batch, [0, 1, 2], [Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7()]);

        Assert.Equal(2, segment.Records[0]);
        Assert.Equal([10_000, 1, int.MaxValue], AuthenticationLogSegmentCodec.Decode(segment).Select(r => r.Count));
        Assert.Equal(batch, AuthenticationLogSegmentCodec.Decode(segment).Select(r => r.ToEntry()));
    }

    [Fact]
    public void SegmentWithoutCounts_KeepsTheVersion1Layout_AndReadsWithCount1()
    {
        AuthenticationLogEntry[] batch = [Entry("/a"), Entry("/b")];

        var segment = AuthenticationLogSegmentCodec.Encode(batch, [0, 1], [Guid.CreateVersion7(), Guid.CreateVersion7()]);

        Assert.Equal(1, segment.Records[0]);
        Assert.All(AuthenticationLogSegmentCodec.Decode(segment), r => Assert.Equal(1, r.Count));
    }

    [Fact]
    public void Version1Segment_WrittenBeforeCounts_StillDecodes()
    {
        // A segment as the version 1 writer stored it: one record, texts "hint", "NOT_FOUND", "check".
        var id = Guid.Parse("01937c5e-0000-7000-8000-000000000001");
        var bytes = new List<byte> { 1, 0, 0, 0, 0, 1 };
        bytes.AddRange(id.ToByteArray(bigEndian: true));
        bytes.AddRange([0, 7, 1, 2, 3, 0, 0, 0, 0]);
        var textsAt = bytes.Count;
        bytes.Add(3);
        foreach (var text in new[] { "hint", "NOT_FOUND", "check" })
        {
            bytes.Add((byte)text.Length);
            bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(text));
        }

        var records = bytes.ToArray();
        BitConverter.TryWriteBytes(records.AsSpan(1, 4), textsAt);
        var segment = new AuthenticationLogSegment { Id = id, FirstAt = At, LastAt = At, Count = 1, Records = records };

        var record = Assert.Single(AuthenticationLogSegmentCodec.Decode(segment));

        Assert.Equal((id, "hint", "NOT_FOUND", "check", 7, 1), (record.Id, record.KeyHint, record.Code, record.Door, record.LatencyMicroseconds, record.Count));
    }

    private static AuthenticationLogEntry Entry(string path) =>
        new(At, null, Organization, null, "hint", "MALFORMED", Doors.Check, "GET", path, "203.0.113.9", "curl/8", 3);
}
