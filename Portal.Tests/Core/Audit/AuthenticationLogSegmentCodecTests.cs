using Portal.Core.Audit;

namespace Portal.Tests.Core.Audit;

public sealed class AuthenticationLogSegmentCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 29, 0, 59, 59, 999, TimeSpan.Zero);

    [Fact]
    public void Encode_ThenDecode_GivesEveryFieldBackInArrivalOrder()
    {
        var key = Guid.NewGuid();
        AuthenticationLogEntry[] batch =
        [
            Entry(key, At.AddTicks(5), "/b") with { UserAgent = "curl/8 (ünïcode ✓)", ClientIp = "2001:db8::7", LatencyMicroseconds = int.MaxValue },
            Entry(key, At, "/a") with { KeyHint = null, Method = null, Path = null, ClientIp = null, UserAgent = "" },
            Entry(key, At.AddDays(2), "/c") with { Code = "OUTSIDE_TIME_WINDOW", Door = Doors.Verify },
        ];
        Guid[] ids = [Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7()];

        var segment = AuthenticationLogSegmentCodec.Encode(batch, [0, 1, 2], ids);
        var records = AuthenticationLogSegmentCodec.Decode(segment);

        Assert.Equal(At, segment.FirstAt);
        Assert.Equal(At.AddDays(2), segment.LastAt);
        Assert.Equal(3, segment.Count);
        Assert.Equal(ids, records.Select(r => r.Id));
        Assert.Equal(batch, records.Select(r => r.ToEntry()));
    }

    [Fact]
    public void Pack_TwoKeysInterleaved_GivesOneSegmentPerKeySplitAtTheLimit()
    {
        var busy = Guid.NewGuid();
        var quiet = Guid.NewGuid();
        var max = AuthenticationLogSegment.MaxRecords;
        var batch = new List<AuthenticationLogEntry>();
        for (var i = 0; i < (2 * max) + 100; i++)
        {
            batch.Add(Entry(busy, At.AddMilliseconds(i), $"/busy/{i}"));
            if (i % 7 == 0)
            {
                batch.Add(Entry(quiet, At.AddMilliseconds(i), $"/quiet/{i}"));
            }
        }

        var segments = new List<AuthenticationLogSegment>();

        AuthenticationLogSegmentCodec.Pack([.. batch], new Guid[batch.Count], segments);

        Assert.Equal([max, max, 100], segments.Where(s => s.KeyId == busy).Select(s => s.Count));
        Assert.Equal(batch.Count(e => e.KeyId == quiet), Assert.Single(segments, s => s.KeyId == quiet).Count);
        var records = segments.SelectMany(AuthenticationLogSegmentCodec.Decode).ToList();
        Assert.Equal(batch.Select(e => e.Path).Order(StringComparer.Ordinal), records.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.Equal(batch.Count, records.Select(r => r.Id).Distinct().Count());
        Assert.All(segments, s => Assert.All(AuthenticationLogSegmentCodec.Decode(s), r => Assert.Equal(s.KeyId, r.KeyId)));
    }

    [Fact]
    public void Decode_UnknownLayout_IsRefused()
    {
        var segment = new AuthenticationLogSegment { Id = Guid.NewGuid(), Records = [9, 0, 0, 0, 0] };

        Assert.Throws<InvalidDataException>(() => AuthenticationLogSegmentCodec.Decode(segment));
    }

    private static AuthenticationLogEntry Entry(Guid key, DateTimeOffset at, string path) =>
        new(at, key, key, key, "pk_test_Ab12…Zz34", "VALID", Doors.Check, "GET", path, "10.0.0.1", "nginx/1.27", 42);
}
