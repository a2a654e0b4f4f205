namespace Portal.Core.Organizations;

/// <summary>A tenant. Every user has a personal one; enterprise ones have several members.</summary>
public sealed class Organization
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    /// <summary>True for the organization every user gets at registration; it has one member.</summary>
    public bool IsPersonal { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<Membership> Members { get; set; } = [];
}
