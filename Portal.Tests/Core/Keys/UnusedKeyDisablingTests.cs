using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

public abstract class UnusedKeyDisablingTests(PortalApp app)
{
    [Fact]
    public async Task Run_UnusedPastLimit_DisablesOnce_RecentlyUsedStays()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(DisableUnusedAfterDays: 30));
        var unused = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        var used = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        app.Clock.Advance(TimeSpan.FromDays(20));
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var key = await db.ApiKeys.SingleAsync(k => k.Id == used.Key.Id);
            key.LastUsedAt = app.Clock.GetUtcNow();
            await db.SaveChangesAsync();
        }

        app.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromMinutes(1));
        await Task.WhenAll(app.RunJobAsync<UnusedKeyDisabling>(), app.RunJobAsync<UnusedKeyDisabling>());
        await app.RunJobAsync<UnusedKeyDisabling>();

        Assert.Equal(KeyStatus.Disabled, (await app.ReadKeyAsync(unused.Key.Id)).Status);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(used.Key.Id)).Status);
        Assert.Equal(ReasonCodes.Disabled, (await app.Services.GetRequiredService<KeyValidator>().ValidateAsync(unused.Token, default)).Code);
        await using var check = app.Scope();
        Assert.Equal(1, await check.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .CountAsync(a => a.Action == AuditActions.KeyDisabled && a.TargetId == unused.Key.Id.ToString()));
    }
}

public sealed class SqliteUnusedKeyDisablingTests(SqliteApp app) : UnusedKeyDisablingTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlUnusedKeyDisablingTests(PostgreSqlApp app) : UnusedKeyDisablingTests(app), IClassFixture<PostgreSqlApp>;
