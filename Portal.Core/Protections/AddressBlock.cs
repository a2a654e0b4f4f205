namespace Portal.Core.Protections;

/// <summary>
/// A network refused at every door of an organization (403 <c>BLOCKED</c>): raised automatically by
/// <see cref="ThreatMonitor"/> (one address, a failure burst or credential stuffing) or added by an
/// admin (any CIDR). Kept after it ends or is lifted, as history.
/// </summary>
public sealed class AddressBlock
{
    /// <summary>The longest cause kept.</summary>
    public const int CauseMaxLength = 300;

    /// <summary>The longest network text (an IPv6 address with its prefix length).</summary>
    public const int NetworkMaxLength = 49;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>CIDR in its normal form (<c>203.0.113.7/32</c>, <c>2001:db8::/48</c>).</summary>
    public required string Network { get; set; }

    public BlockReason Reason { get; set; }

    /// <summary>What caused it, e.g. <c>50 refusals (NOT_FOUND ×41, MALFORMED ×9) in 60 s</c>, or an admin's note.</summary>
    public required string Cause { get; set; }

    /// <summary>The automatic blocks of this address within a day, this one included (each doubles the length); 1 for manual blocks.</summary>
    public int Strike { get; set; } = 1;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it ends by itself; null for a manual block that lasts until lifted.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LiftedAt { get; set; }

    /// <summary>The user who lifted it.</summary>
    public Guid? LiftedBy { get; set; }

    /// <summary>The admin who added it; null for automatic blocks.</summary>
    public Guid? CreatedBy { get; set; }

    /// <summary>Whether the block is in force at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => LiftedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
