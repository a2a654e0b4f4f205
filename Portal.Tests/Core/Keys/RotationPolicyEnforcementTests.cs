using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

public abstract class RotationPolicyEnforcementTests(PortalApp app)
{
    [Fact]
    public async Task Run_KeyNotRotatedInTime_IsExpiredOnce_RotatedKeyStays()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(RotationIntervalDays: 10));
        var stale = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        var rotatedInTime = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        app.Clock.Advance(TimeSpan.FromDays(9));
        await app.RotateAsync(organization.Owner, rotatedInTime.Key.Id, TimeSpan.Zero);

        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await Task.WhenAll(app.RunJobAsync<RotationPolicyEnforcement>(), app.RunJobAsync<RotationPolicyEnforcement>());

        Assert.Equal(KeyStatus.Expired, (await app.ReadKeyAsync(stale.Key.Id)).Status);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(rotatedInTime.Key.Id)).Status);
        await using var scope = app.Scope();
        var records = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .Where(a => a.Action == AuditActions.KeyExpired && a.TargetId == stale.Key.Id.ToString()).ToListAsync();
        Assert.Contains("rotation_overdue", Assert.Single(records).Details);
    }

    [Fact]
    public async Task Run_OrganizationWithoutRotationRule_LeavesOldKeys()
    {
        var organization = await app.NewOrganizationAsync();
        var key = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        app.Clock.Advance(TimeSpan.FromDays(400));

        await app.RunJobAsync<RotationPolicyEnforcement>();

        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(key.Key.Id)).Status);
    }
}

public sealed class SqliteRotationPolicyEnforcementTests(SqliteApp app) : RotationPolicyEnforcementTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlRotationPolicyEnforcementTests(PostgreSqlApp app) : RotationPolicyEnforcementTests(app), IClassFixture<PostgreSqlApp>;
