using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Protections;

namespace Portal.Core.Data;

internal sealed class AddressBlockConfiguration : IEntityTypeConfiguration<AddressBlock>
{
    public void Configure(EntityTypeBuilder<AddressBlock> entity)
    {
        entity.Property(b => b.Network).HasMaxLength(AddressBlock.NetworkMaxLength);
        entity.Property(b => b.Cause).HasMaxLength(AddressBlock.CauseMaxLength);
        // The block list page and the monitor's load: an organization's blocks not lifted, by end.
        entity.HasIndex(b => new { b.OrganizationId, b.LiftedAt, b.ExpiresAt });
        entity.HasIndex(b => new { b.LiftedAt, b.ExpiresAt });
    }
}
