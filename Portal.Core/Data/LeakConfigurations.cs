using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Keys;
using Portal.Core.Leaks;

namespace Portal.Core.Data;

internal sealed class KeyLeakConfiguration : IEntityTypeConfiguration<KeyLeak>
{
    public void Configure(EntityTypeBuilder<KeyLeak> entity)
    {
        entity.Property(l => l.Url).HasMaxLength(KeyLeak.UrlMaxLength);
        entity.Property(l => l.Source).HasMaxLength(KeyLeak.SourceMaxLength);
        entity.Property(l => l.Reporter).HasMaxLength(KeyLeak.ReporterMaxLength);
        // One row per token: concurrent first reports meet here, and one of them reads again; a report
        // acting on a token that works again updates the row (and races on the key's concurrency stamp).
        entity.HasIndex(l => l.SecretId).IsUnique();
        entity.HasIndex(l => new { l.OrganizationId, l.ReportedAt });
        entity.HasIndex(l => l.KeyId);
        // Through the token's row only: a second cascade path from the key would be refused by SQL Server.
        entity.HasOne<ApiKeySecret>().WithMany().HasForeignKey(l => l.SecretId).OnDelete(DeleteBehavior.Cascade);
    }
}
