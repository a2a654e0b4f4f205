namespace Portal.Core.Usage;

/// <summary>How long one roll-up row counts for.</summary>
public enum UsageGranularity : byte
{
    Minute = 0,
    Hour = 1,
    Day = 2,
}

/// <summary>
/// Decisions with one reason code in one hour or day, for one key or, when <see cref="KeyId"/> is
/// null, for all keys of the organization. <see cref="UsageCompaction"/> writes these from minute
/// rows (<see cref="UsageRollup"/>) and from finer periods. Like minute rows they are insert-only:
/// several rows for the same period add up, so a late minute compacted on a later run simply adds
/// another row.
/// </summary>
/// <remarks>
/// Organization rows (no key) exist so an organization's or the platform's chart reads a few rows
/// per period however many keys there are; per-key rows serve the key page, developers' own-key
/// views and the top-keys table.
/// </remarks>
public sealed class UsagePeriod
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public UsageGranularity Granularity { get; set; }

    /// <summary>The start of the hour or day (UTC).</summary>
    public DateTimeOffset Start { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The key, or null for the organization's total over all its keys.</summary>
    public Guid? KeyId { get; set; }

    /// <summary>A reason code; <c>VALID</c> counts allowed requests.</summary>
    public required string Code { get; set; }

    public long Count { get; set; }
}
