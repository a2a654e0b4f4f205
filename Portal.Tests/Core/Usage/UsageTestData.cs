using Portal.Tests.Core.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Usage;

/// <summary>Organizations with members in each role, keys, and usage rows written straight to the database.</summary>
public static class UsageTestData
{
    /// <summary>An enterprise organization owned by <paramref name="owner"/>.</summary>
    public static async Task<Guid> NewOrganizationAsync(this PortalApp app, TestUser owner)
    {
        await using var scope = app.Scope();
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().CreateAsync(owner.Caller(), $"org {Guid.NewGuid():N}");
        return created.Id;
    }

    public static async Task AddMemberAsync(this PortalApp app, Guid organizationId, TestUser user, OrganizationRole role)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Memberships.Add(new Membership { OrganizationId = organizationId, UserId = user.User.Id, Role = role, CreatedAt = app.Clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    public static async Task<Guid> NewKeyInAsync(this PortalApp app, TestUser owner, Guid organizationId, string name)
    {
        await using var scope = app.Scope();
        var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            owner.Caller(organizationId), new CreateKeyCommand(name, Scopes: ["orders:read"]));
        return issued.Key.Id;
    }

    public static async Task MakePlatformAdministratorAsync(this PortalApp app, TestUser user)
    {
        await using var scope = app.Scope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        if (!await roles.RoleExistsAsync(PlatformRoles.Administrator))
        {
            await roles.CreateAsync(new IdentityRole<Guid>(PlatformRoles.Administrator) { Id = Guid.CreateVersion7() });
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var stored = await users.FindByIdAsync(user.User.Id.ToString());
        var result = await users.AddToRoleAsync(stored!, PlatformRoles.Administrator);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>Writes minute rows as the flush would.</summary>
    public static async Task AddMinutesAsync(this PortalApp app, params UsageRollup[] rows)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.UsageRollups.AddRange(rows);
        await db.SaveChangesAsync();
    }

    public static UsageRollup Minute(Guid organizationId, Guid keyId, DateTimeOffset at, string code, long count) => new()
    {
        OrganizationId = organizationId,
        KeyId = keyId,
        Minute = UsageTime.Floor(at, UsageGranularity.Minute),
        Code = code,
        Count = count,
    };

    public static async Task AddLogAsync(this PortalApp app, params AuthenticationLogRecord[] records)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await StoredLog.AddAsync(db, records);
    }

    /// <summary>
    /// Every count stored for the keys, per key and code, wherever it lives now (minute rows or
    /// per-key hour and day rows), and the organizations' totals (minute rows or organization rows).
    /// </summary>
    public static async Task<(Dictionary<(Guid Key, string Code), long> PerKey, Dictionary<(Guid Organization, string Code), long> PerOrganization)> TotalsAsync(
        this PortalApp app, IReadOnlyCollection<Guid> keyIds, IReadOnlyCollection<Guid> organizationIds)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var minutes = await db.UsageRollups.AsNoTracking().Where(u => keyIds.Contains(u.KeyId)).ToListAsync();
        var periods = await db.UsagePeriods.AsNoTracking().Where(p => organizationIds.Contains(p.OrganizationId)).ToListAsync();
        var perKey = minutes.Select(m => (Key: m.KeyId, m.Code, m.Count))
            .Concat(periods.Where(p => p.KeyId is not null).Select(p => (Key: p.KeyId!.Value, p.Code, p.Count)))
            .GroupBy(x => (x.Key, x.Code)).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
        var perOrganization = minutes.Select(m => (Organization: m.OrganizationId, m.Code, m.Count))
            .Concat(periods.Where(p => p.KeyId is null).Select(p => (Organization: p.OrganizationId, p.Code, p.Count)))
            .GroupBy(x => (x.Organization, x.Code)).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
        return (perKey, perOrganization);
    }
}
