using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Organizations;
using Portal.Core.Sessions;
using Portal.Core.TwoFactor;

namespace Portal.Core.Data;

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> entity)
    {
        // The id is random and comes from the sign-in, never from the database.
        entity.Property(s => s.Id).ValueGeneratedNever();
        entity.Property(s => s.Device).HasMaxLength(UserSession.DeviceMaxLength);
        entity.Property(s => s.ClientIp).HasMaxLength(UserSession.ClientIpMaxLength);
        entity.Property(s => s.SecurityStamp).HasMaxLength(UserSession.SecurityStampMaxLength);
        entity.Property(s => s.EndReason).HasConversion<string>().HasMaxLength(32);
        // The account page lists a person's live sessions; "sign out everywhere else" ends them.
        entity.HasIndex(s => new { s.UserId, s.EndedAt });
        entity.HasOne<PortalUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuthenticatorCodeUseConfiguration : IEntityTypeConfiguration<AuthenticatorCodeUse>
{
    public void Configure(EntityTypeBuilder<AuthenticatorCodeUse> entity)
    {
        entity.HasKey(u => u.UserId);
        entity.HasOne<PortalUser>().WithMany().HasForeignKey(u => u.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
