using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Notifications;
using Portal.Core.Data;
using Portal.Core.Notifications;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Notifications;

/// <summary>The bell in the app bar, rendered with the real inbox on a SQLite database.</summary>
public sealed class NotificationBellTests : BunitContext, IAsyncLifetime, IClassFixture<SqliteApp>
{
    private readonly SqliteApp _app;

    public NotificationBellTests(SqliteApp app)
    {
        _app = app;
        Services.AddScoped<PortalDbContext>(_ => app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        Services.AddScoped<NotificationInbox>();
        this.AddPortalTestServices();
        Render<MudBlazor.MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();

    [Fact]
    public async Task Bell_ShowsOwnUnreadCount_AndNoneOnceRead()
    {
        var user = await _app.NewUserAsync();
        var other = await _app.NewUserAsync();
        await AddNotificationAsync(user, "Key “a” expires within 7 days.");
        await AddNotificationAsync(user, "Key “b” expires within a day.");
        await AddNotificationAsync(other, "Someone else's reminder.");

        var bell = Render<NotificationBell>(p => p.Add(b => b.Caller, user.Caller()));

        bell.WaitForAssertion(() => Assert.NotNull(bell.Find("button[aria-label='Notifications, 2 unread']")));
        Assert.Contains(">2<", bell.Markup, StringComparison.Ordinal);

        await using (var scope = _app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<NotificationInbox>().MarkAllReadAsync(user.Caller());
        }

        var after = Render<NotificationBell>(p => p.Add(b => b.Caller, user.Caller()));
        after.WaitForAssertion(() => Assert.NotNull(after.Find("button[aria-label='Notifications']")));
    }

    private async Task AddNotificationAsync(TestUser user, string message)
    {
        await using var scope = _app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Notifications.Add(new Notification
        {
            UserId = user.User.Id,
            OrganizationId = user.OrganizationId,
            KeyId = Guid.NewGuid(),
            Kind = NotificationKinds.KeyExpiring7Days,
            DueAt = _app.Clock.GetUtcNow(),
            Message = message,
            CreatedAt = _app.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }
}
