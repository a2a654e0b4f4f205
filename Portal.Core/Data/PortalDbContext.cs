using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Leaks;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Sessions;
using Portal.Core.TwoFactor;
using Portal.Core.Usage;
using Portal.Core.Webhooks;

namespace Portal.Core.Data;

/// <summary>
/// The one model of the product. Each database provider has a subclass so that it gets its own
/// migrations (see <c>scripts/add-migration.sh</c>).
/// </summary>
public abstract class PortalDbContext(DbContextOptions options)
    : IdentityDbContext<PortalUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<ApiKeySecret> ApiKeySecrets => Set<ApiKeySecret>();

    public DbSet<KeySigningCredential> SigningCredentials => Set<KeySigningCredential>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<AuthenticationLogSegment> AuthenticationLogSegments => Set<AuthenticationLogSegment>();

    public DbSet<UsageRollup> UsageRollups => Set<UsageRollup>();

    public DbSet<ApiResource> ApiResources => Set<ApiResource>();

    public DbSet<ProtectedApi> Apis => Set<ProtectedApi>();

    public DbSet<EndpointRule> EndpointRules => Set<EndpointRule>();

    public DbSet<PlatformSettings> PlatformSettings => Set<PlatformSettings>();

    public DbSet<PermissionSet> PermissionSets => Set<PermissionSet>();

    public DbSet<PermissionSetVersion> PermissionSetVersions => Set<PermissionSetVersion>();

    public DbSet<UsagePeriod> UsagePeriods => Set<UsagePeriod>();

    public DbSet<OrganizationPolicy> OrganizationPolicies => Set<OrganizationPolicy>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<AddressBlock> AddressBlocks => Set<AddressBlock>();

    public DbSet<KeyLeak> KeyLeaks => Set<KeyLeak>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<UserSession> UserSessions => Set<UserSession>();

    public DbSet<AuthenticatorCodeUse> AuthenticatorCodeUses => Set<AuthenticatorCodeUse>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseAuditChanges();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseAuditChanges();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void RefuseAuditChanges()
    {
        foreach (var entry in ChangeTracker.Entries<AuditRecord>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("Audit records are append-only.");
            }
        }
    }
}
