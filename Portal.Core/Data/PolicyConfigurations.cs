using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Webhooks;

namespace Portal.Core.Data;

internal sealed class OrganizationPolicyConfiguration : IEntityTypeConfiguration<OrganizationPolicy>
{
    public void Configure(EntityTypeBuilder<OrganizationPolicy> entity)
    {
        entity.HasKey(p => p.OrganizationId);
        entity.Property(p => p.ConcurrencyStamp).IsConcurrencyToken();
        entity.Property(p => p.DeniedNetworks).HasJsonConversion();
        entity.Property(p => p.DeniedCountries).HasJsonConversion();
        entity.Property(p => p.Threats).HasJsonConversion();
        entity.HasOne(p => p.Organization).WithOne().HasForeignKey<OrganizationPolicy>(p => p.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> entity)
    {
        entity.Property(n => n.Kind).HasMaxLength(64);
        entity.Property(n => n.Message).HasMaxLength(Notification.MessageMaxLength);
        // The exactly-once guarantee of reminders: a second insert of the same reminder fails.
        entity.HasIndex(n => new { n.KeyId, n.Kind, n.DueAt }).IsUnique();
        // The bell: a user's newest notifications and unread count.
        entity.HasIndex(n => new { n.UserId, n.CreatedAt });
        entity.HasOne<PortalUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> entity)
    {
        entity.HasKey(w => w.OrganizationId);
        entity.Property(w => w.Url).HasMaxLength(WebhookEndpoint.UrlMaxLength);
        entity.Property(w => w.ProtectedSecret).HasMaxLength(1000);
        entity.HasOne<Organization>().WithOne().HasForeignKey<WebhookEndpoint>(w => w.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> entity)
    {
        entity.Property(d => d.EventType).HasMaxLength(64);
        entity.Property(d => d.LastError).HasMaxLength(200);
        entity.Property(d => d.ConcurrencyStamp).IsConcurrencyToken();
        entity.Ignore(d => d.MessageId);
        // The dispatcher's scan: pending rows by due time.
        entity.HasIndex(d => new { d.DeliveredAt, d.AbandonedAt, d.NextAttemptAt });
        entity.HasIndex(d => new { d.OrganizationId, d.CreatedAt });
    }
}
