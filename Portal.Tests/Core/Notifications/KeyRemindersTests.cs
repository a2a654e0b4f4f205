using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Notifications;

public abstract class KeyRemindersTests(PortalApp app)
{
    [Fact]
    public async Task Run_ExpiryApproaching_Sends7DayThen1DayReminder_EachExactlyOnce()
    {
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddDays(10));

        await app.RunJobAsync<KeyReminders>();
        Assert.Empty(await RemindersOfAsync(key.Key.Id));

        app.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await Task.WhenAll(app.RunJobAsync<KeyReminders>(), app.RunJobAsync<KeyReminders>(), app.RunJobAsync<KeyReminders>());
        await app.RunJobAsync<KeyReminders>();
        Assert.Equal([NotificationKinds.KeyExpiring7Days], await RemindersOfAsync(key.Key.Id));

        app.Clock.Advance(TimeSpan.FromDays(6));
        await Task.WhenAll(app.RunJobAsync<KeyReminders>(), app.RunJobAsync<KeyReminders>());
        await app.RunJobAsync<KeyReminders>();
        Assert.Equal([NotificationKinds.KeyExpiring1Day, NotificationKinds.KeyExpiring7Days], await RemindersOfAsync(key.Key.Id));

        await using var scope = app.Scope();
        var inbox = scope.ServiceProvider.GetRequiredService<NotificationInbox>();
        var mine = await inbox.RecentAsync(owner.Caller());
        Assert.Equal(2, mine.Count(n => n.KeyId == key.Key.Id));
        Assert.Contains(mine, n => n.Message.Contains(key.Key.Name, StringComparison.Ordinal) && n.Message.Contains("within a day", StringComparison.Ordinal));
        Assert.True(await inbox.UnreadCountAsync(owner.Caller()) >= 2);
        await inbox.MarkAllReadAsync(owner.Caller());
        Assert.Equal(0, await inbox.UnreadCountAsync(owner.Caller()));
        var stranger = await app.NewUserAsync();
        Assert.DoesNotContain(await inbox.RecentAsync(stranger.Caller()), n => n.KeyId == key.Key.Id);
        Assert.True(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .AnyAsync(a => a.Action == AuditActions.JobCompleted && a.TargetId == KeyReminders.JobName));
    }

    [Fact]
    public async Task Run_KeyFirstSeenInsideLastDay_GetsOnlyTheOneDayReminder()
    {
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"], app.Clock.GetUtcNow().AddHours(12));

        await app.RunJobAsync<KeyReminders>();
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.RunJobAsync<KeyReminders>();

        Assert.Equal([NotificationKinds.KeyExpiring1Day], await RemindersOfAsync(key.Key.Id));
    }

    [Fact]
    public async Task Run_RotationIntervalApproaching_RemindsBeforeDeadline_NewTokenRestartsTheClock()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(RotationIntervalDays: 30));
        var key = await app.CreateKeyInAsync(organization.Owner, organization.Id);

        app.Clock.Advance(TimeSpan.FromDays(24));
        await app.RunJobAsync<KeyReminders>();
        await app.RunJobAsync<KeyReminders>();
        Assert.Equal([NotificationKinds.RotationDue7Days], await RemindersOfAsync(key.Key.Id));

        await app.RotateAsync(organization.Owner, key.Key.Id, TimeSpan.Zero);
        app.Clock.Advance(TimeSpan.FromDays(5) + TimeSpan.FromHours(1));
        await app.RunJobAsync<KeyReminders>();

        // The old deadline would now be inside its last day; the rotation moved it 30 days on.
        Assert.Equal([NotificationKinds.RotationDue7Days], await RemindersOfAsync(key.Key.Id));
    }

    private async Task<List<string>> RemindersOfAsync(Guid keyId)
    {
        await using var scope = app.Scope();
        var kinds = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Notifications
            .Where(n => n.KeyId == keyId).Select(n => n.Kind).ToListAsync();
        return [.. kinds.Order(StringComparer.Ordinal)];
    }
}

public sealed class SqliteKeyRemindersTests(SqliteApp app) : KeyRemindersTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeyRemindersTests(PostgreSqlApp app) : KeyRemindersTests(app), IClassFixture<PostgreSqlApp>;
