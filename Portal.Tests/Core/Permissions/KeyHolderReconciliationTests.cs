using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Permissions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Permissions;

/// <summary>
/// Keys whose owner left the organization or holds a role that may hold none, without the member
/// change that would have revoked them (written straight to the database, as a race or old data would
/// leave them), are revoked by the next run, once.
/// </summary>
public abstract class KeyHolderReconciliationTests(PortalApp app)
{
    [Fact]
    public async Task Run_RevokesKeysOfFormerMembersAndViewers_LeavesDevelopers_AndIsIdempotent()
    {
        var org = await app.NewOrganizationAsync();
        var gone = await app.NewMemberAsync(org, OrganizationRole.Developer);
        var viewer = await app.NewMemberAsync(org, OrganizationRole.Developer);
        var developer = await app.NewMemberAsync(org, OrganizationRole.Developer);
        var goneKey = await app.CreateKeyInAsync(gone, org.Id);
        var viewerKey = await app.CreateKeyInAsync(viewer, org.Id);
        var developerKey = await app.CreateKeyInAsync(developer, org.Id);
        var personalKey = await app.CreateKeyInAsync(gone, gone.OrganizationId);
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.Memberships.Remove(await db.Memberships.SingleAsync(m => m.OrganizationId == org.Id && m.UserId == gone.User.Id));
            (await db.Memberships.SingleAsync(m => m.OrganizationId == org.Id && m.UserId == viewer.User.Id)).Role = OrganizationRole.Viewer;
            await db.SaveChangesAsync();
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.True(first >= 2);
        Assert.Equal(0, second);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(goneKey.Key.Id)).Status);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(viewerKey.Key.Id)).Status);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(developerKey.Key.Id)).Status);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(personalKey.Key.Id)).Status);
        await using var check = app.Scope();
        var audit = check.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking();
        Assert.Equal(1, await audit.CountAsync(a => a.Action == AuditActions.KeyRevoked && a.TargetId == goneKey.Key.Id.ToString() && a.Channel == Channels.Job));
    }

    private async Task<int> RunAsync()
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KeyHolderReconciliation>().RunAsync(CancellationToken.None);
    }
}

public sealed class SqliteKeyHolderReconciliationTests(SqliteApp app) : KeyHolderReconciliationTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeyHolderReconciliationTests(PostgreSqlApp app) : KeyHolderReconciliationTests(app), IClassFixture<PostgreSqlApp>;
