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
        // Each token is acted on once, however many reports name it and however they race.
        entity.HasIndex(l => l.SecretId).IsUnique();
        entity.HasIndex(l => new { l.OrganizationId, l.ReportedAt });
        entity.HasIndex(l => l.KeyId);
        // Through the token's row only: a second cascade path from the key would be refused by SQL Server.
        entity.HasOne<ApiKeySecret>().WithMany().HasForeignKey(l => l.SecretId).OnDelete(DeleteBehavior.Cascade);
    }
}
