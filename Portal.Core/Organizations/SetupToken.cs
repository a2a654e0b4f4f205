using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Organizations;

/// <summary>
/// The one-time token of the first-start link that lets a person create the platform
/// administrator. Only its SHA-256 is stored; the token itself appears once, in the log.
/// </summary>
public sealed class SetupToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class SetupTokenConfiguration : IEntityTypeConfiguration<SetupToken>
{
    public void Configure(EntityTypeBuilder<SetupToken> entity)
    {
        entity.Property(t => t.TokenHash).HasMaxLength(32).IsFixedLength();
        entity.HasIndex(t => t.TokenHash).IsUnique();
    }
}
