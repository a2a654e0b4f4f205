namespace Portal.Core.Usage;

/// <summary>
/// Decisions about one key in one minute with one reason code. Rows are only ever inserted by the
/// batched flush (several rows for the same minute add up); the roll-up job compacts them.
/// </summary>
public sealed class UsageRollup
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid KeyId { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The start of the minute (UTC).</summary>
    public DateTimeOffset Minute { get; set; }

    /// <summary>A reason code from <see cref="Validation.ReasonCodes"/>; <c>VALID</c> counts allowed requests.</summary>
    public required string Code { get; set; }

    public long Count { get; set; }
}
