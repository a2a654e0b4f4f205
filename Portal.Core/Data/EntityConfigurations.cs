using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Usage;

namespace Portal.Core.Data;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> entity)
    {
        entity.Property(o => o.Name).HasMaxLength(100);
        entity.HasMany(o => o.Members).WithOne(m => m.Organization).HasForeignKey(m => m.OrganizationId);
    }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> entity)
    {
        entity.HasKey(m => new { m.OrganizationId, m.UserId });
        entity.HasIndex(m => m.UserId);
        entity.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> entity)
    {
        entity.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength);
        entity.Property(k => k.Description).HasMaxLength(ApiKey.DescriptionMaxLength);
        entity.Property(k => k.Hint).HasMaxLength(64);
        entity.Property(k => k.LastUsedIp).HasMaxLength(45);
        entity.Property(k => k.ConcurrencyStamp).IsConcurrencyToken();
        entity.HasIndex(k => new { k.OwnerId, k.Name }).IsUnique();
        // Keyset paging of an organization's keys, newest first.
        entity.HasIndex(k => new { k.OrganizationId, k.CreatedAt, k.Id });
        entity.HasIndex(k => new { k.Status, k.ExpiresAt });
        entity.HasOne(k => k.Organization).WithMany().HasForeignKey(k => k.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        entity.HasOne(k => k.Owner).WithMany().HasForeignKey(k => k.OwnerId).OnDelete(DeleteBehavior.Restrict);
        entity.HasMany(k => k.Secrets).WithOne(s => s.ApiKey).HasForeignKey(s => s.ApiKeyId);
        entity.Property(k => k.Grants).HasJsonConversion();
        entity.Property(k => k.Schedule).HasJsonConversion();
        entity.Property(k => k.Protections).HasJsonConversion();
        // A set in use cannot be deleted: its keys must be reassigned first.
        entity.HasMany(k => k.PermissionSets).WithMany(p => p.Keys).UsingEntity(
            "ApiKeyPermissionSets",
            r => r.HasOne(typeof(PermissionSet)).WithMany().HasForeignKey("PermissionSetId").OnDelete(DeleteBehavior.Restrict),
            l => l.HasOne(typeof(ApiKey)).WithMany().HasForeignKey("ApiKeyId").OnDelete(DeleteBehavior.Cascade));
    }
}

internal sealed class ApiResourceConfiguration : IEntityTypeConfiguration<ApiResource>
{
    public void Configure(EntityTypeBuilder<ApiResource> entity)
    {
        entity.Property(r => r.Name).HasMaxLength(ApiResource.NameMaxLength);
        entity.Property(r => r.Description).HasMaxLength(ApiResource.DescriptionMaxLength);
        entity.HasIndex(r => new { r.OrganizationId, r.Name }).IsUnique();
        entity.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId);
    }
}

internal sealed class EndpointRuleConfiguration : IEntityTypeConfiguration<EndpointRule>
{
    public void Configure(EntityTypeBuilder<EndpointRule> entity)
    {
        entity.Property(r => r.Method).HasMaxLength(8);
        entity.Property(r => r.PathTemplate).HasMaxLength(PathTemplate.MaxLength);
        entity.Property(r => r.Scope).HasMaxLength(Scope.MaxLength);
        entity.HasIndex(r => r.OrganizationId);
        entity.HasIndex(r => r.ApiId);
        entity.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId);
        entity.HasOne<ProtectedApi>().WithMany().HasForeignKey(r => r.ApiId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProtectedApiConfiguration : IEntityTypeConfiguration<ProtectedApi>
{
    public void Configure(EntityTypeBuilder<ProtectedApi> entity)
    {
        entity.ToTable("Apis");
        entity.Property(a => a.Name).HasMaxLength(ProtectedApi.NameMaxLength);
        entity.Property(a => a.Description).HasMaxLength(ProtectedApi.DescriptionMaxLength);
        entity.Property(a => a.Protections).HasJsonConversion();
        entity.HasIndex(a => new { a.OrganizationId, a.Name }).IsUnique();
        entity.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId);
    }
}

internal sealed class PlatformSettingsConfiguration : IEntityTypeConfiguration<PlatformSettings>
{
    public void Configure(EntityTypeBuilder<PlatformSettings> entity)
    {
        entity.Property(s => s.Id).ValueGeneratedNever();
    }
}

internal sealed class PermissionSetConfiguration : IEntityTypeConfiguration<PermissionSet>
{
    public void Configure(EntityTypeBuilder<PermissionSet> entity)
    {
        entity.Property(p => p.Name).HasMaxLength(PermissionSet.NameMaxLength);
        entity.Property(p => p.Description).HasMaxLength(PermissionSet.DescriptionMaxLength);
        entity.Property(p => p.Grants).HasJsonConversion();
        entity.Property(p => p.ConcurrencyStamp).IsConcurrencyToken();
        entity.HasIndex(p => new { p.OrganizationId, p.Name }).IsUnique();
        entity.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId);
    }
}

internal sealed class PermissionSetVersionConfiguration : IEntityTypeConfiguration<PermissionSetVersion>
{
    public void Configure(EntityTypeBuilder<PermissionSetVersion> entity)
    {
        entity.Property(p => p.Name).HasMaxLength(PermissionSet.NameMaxLength);
        entity.Property(p => p.Description).HasMaxLength(PermissionSet.DescriptionMaxLength);
        entity.Property(p => p.CreatedBy).HasMaxLength(256);
        entity.Property(p => p.Grants).HasJsonConversion();
        entity.HasIndex(p => new { p.PermissionSetId, p.Version }).IsUnique();
        entity.HasOne<PermissionSet>().WithMany().HasForeignKey(p => p.PermissionSetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiKeySecretConfiguration : IEntityTypeConfiguration<ApiKeySecret>
{
    public void Configure(EntityTypeBuilder<ApiKeySecret> entity)
    {
        entity.Property(s => s.Hash).HasMaxLength(KeyHasher.HashSize).IsFixedLength();
        entity.Property(s => s.Hint).HasMaxLength(64);
        entity.HasIndex(s => s.Hash).IsUnique();
        entity.HasIndex(s => s.RetiresAt);
    }
}

internal sealed class KeySigningCredentialConfiguration : IEntityTypeConfiguration<KeySigningCredential>
{
    public void Configure(EntityTypeBuilder<KeySigningCredential> entity)
    {
        entity.ToTable("SigningCredentials");
        entity.Property(c => c.KeyIdentifier).HasMaxLength(KeySigningCredential.KeyIdentifierLength);
        entity.Property(c => c.Algorithm).HasMaxLength(32);
        entity.Property(c => c.PublicKey).HasMaxLength(256);
        entity.Property(c => c.ProtectedSecret).HasMaxLength(1024);
        entity.HasIndex(c => c.KeyIdentifier).IsUnique();
        entity.HasIndex(c => c.ApiKeyId);
        entity.HasOne(c => c.ApiKey).WithMany().HasForeignKey(c => c.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditRecordConfiguration : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> entity)
    {
        entity.Property(a => a.Actor).HasMaxLength(256);
        entity.Property(a => a.Action).HasMaxLength(64);
        entity.Property(a => a.TargetType).HasMaxLength(64);
        entity.Property(a => a.TargetId).HasMaxLength(64);
        entity.Property(a => a.TargetName).HasMaxLength(256);
        entity.Property(a => a.Channel).HasMaxLength(16);
        entity.Property(a => a.ClientIp).HasMaxLength(45);
        entity.HasIndex(a => new { a.OrganizationId, a.OccurredAt });
    }
}

internal sealed class AuthenticationLogSegmentConfiguration : IEntityTypeConfiguration<AuthenticationLogSegment>
{
    public void Configure(EntityTypeBuilder<AuthenticationLogSegment> entity)
    {
        // The portal's views: an organization's or a key's segments, newest first; retention by time.
        entity.HasIndex(s => new { s.OrganizationId, s.LastAt });
        entity.HasIndex(s => new { s.KeyId, s.LastAt });
        entity.HasIndex(s => s.LastAt);
    }
}

internal sealed class UsageRollupConfiguration : IEntityTypeConfiguration<UsageRollup>
{
    public void Configure(EntityTypeBuilder<UsageRollup> entity)
    {
        entity.Property(u => u.Code).HasMaxLength(32);
        entity.HasIndex(u => new { u.KeyId, u.Minute });
        entity.HasIndex(u => new { u.OrganizationId, u.Minute });
    }
}

internal sealed class UsagePeriodConfiguration : IEntityTypeConfiguration<UsagePeriod>
{
    public void Configure(EntityTypeBuilder<UsagePeriod> entity)
    {
        entity.Property(p => p.Code).HasMaxLength(32);
        // An organization's totals (KeyId null) or its keys' rows over a range; a key's rows; compaction by age.
        // Code and Count end the first index so the charts and the top-keys grouping read the index
        // alone (SQLite has no INCLUDE columns): at 100,000 keys that is 2.5 million rows read in key order.
        entity.HasIndex(p => new { p.OrganizationId, p.KeyId, p.Start, p.Code, p.Count });
        // Top keys over a short range: the organization's hours (or days) of that range, by time.
        entity.HasIndex(p => new { p.OrganizationId, p.Granularity, p.Start, p.KeyId, p.Code, p.Count });
        entity.HasIndex(p => new { p.KeyId, p.Start });
        entity.HasIndex(p => new { p.Granularity, p.Start });
    }
}
