namespace Portal.Core.Audit;

/// <summary>
/// Up to <see cref="MaxRecords"/> authentication log records of one key (or, for tokens that named
/// no key, of nobody), packed by <see cref="AuthenticationLogSegmentCodec"/> and stored as one row.
/// A gateway sends the same few keys thousands of times a second: one row and three index entries
/// per record would cost the server more than the requests they describe, one row per key and
/// batch costs almost nothing per record. The columns are what the portal's views and retention
/// look up; every other field lives in <see cref="Records"/>.
/// </summary>
public sealed class AuthenticationLogSegment
{
    /// <summary>Decoding a segment reads all of it: kept small enough for a page that needs a few records.</summary>
    public const int MaxRecords = 1_000;

    public Guid Id { get; set; }

    public Guid? OrganizationId { get; set; }

    public Guid? KeyId { get; set; }

    public Guid? OwnerId { get; set; }

    /// <summary>The oldest record's time.</summary>
    public DateTimeOffset FirstAt { get; set; }

    /// <summary>The newest record's time.</summary>
    public DateTimeOffset LastAt { get; set; }

    public int Count { get; set; }

    public required byte[] Records { get; set; }
}
