namespace Portal.Core.Organizations;

/// <summary>A tenant. Every user has a personal one; enterprise ones have several members.</summary>
public sealed class Organization
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    /// <summary>True for the organization every user gets at registration; it has one member.</summary>
    public bool IsPersonal { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// What the check endpoint does with a request that names no scope and matches no endpoint
    /// rule: false (the default) denies it, true lets any valid key of the organization through.
    /// </summary>
    public bool AllowUnmatchedRequests { get; set; }

    public List<Membership> Members { get; set; } = [];
}
