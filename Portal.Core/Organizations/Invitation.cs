using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Organizations;

/// <summary>
/// An offer to join an organization with a role, sent to an email address. Only the SHA-256 of
/// its token is stored; the link with the token is shown once to the admin who invited.
/// </summary>
public sealed class Invitation
{
    public const int EmailMaxLength = 256;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>The address as typed by the admin; matched case-insensitively on acceptance.</summary>
    public required string Email { get; set; }

    /// <summary>Upper-cased like Identity's normalized email, so the match uses an index.</summary>
    public required string NormalizedEmail { get; set; }

    public OrganizationRole Role { get; set; }

    public required byte[] TokenHash { get; set; }

    public Guid InvitedById { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public Guid? AcceptedById { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public Organization? Organization { get; set; }

    public bool IsPending(DateTimeOffset now) => AcceptedAt is null && RevokedAt is null && ExpiresAt > now;
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> entity)
    {
        entity.Property(i => i.Email).HasMaxLength(Invitation.EmailMaxLength);
        entity.Property(i => i.NormalizedEmail).HasMaxLength(Invitation.EmailMaxLength);
        entity.Property(i => i.TokenHash).HasMaxLength(32).IsFixedLength();
        entity.HasIndex(i => i.TokenHash).IsUnique();
        entity.HasIndex(i => new { i.OrganizationId, i.CreatedAt });
        entity.HasOne(i => i.Organization).WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
