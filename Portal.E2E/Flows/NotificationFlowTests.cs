using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Core.Data;
using Portal.Core.Notifications;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// A reminder reaches its user through the bell in the app bar: the unread count shows, opening the
/// list shows the message and marks it read. The reminder is stored as the reminder job stores it.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class NotificationFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    [Fact]
    public async Task Reminder_ShowsOnBell_OpeningMarksItRead()
    {
        var email = $"bell-{Guid.NewGuid():N}@example.com";
        await new RegisterPage(Page).RegisterAsync(email, "correct-horse-battery-staple");
        const string message = "Key “billing” expires within 7 days.";
        await AddReminderAsync(email, message);

        await Page.ReloadAsync();
        // The bell is a button inside the menu's activator, which carries the same name.
        var unread = Page.Locator("button[aria-label='Notifications, 1 unread']");
        await unread.WaitForAsync();
        await ScreenshotAsync("unread reminder");
        await unread.ClickUntilAsync(Page.GetByText(message));
        await ScreenshotAsync("reminder list");

        await Page.ReloadAsync();
        await Page.Locator("button[aria-label='Notifications']").WaitForAsync();
    }

    private async Task AddReminderAsync(string email, string message)
    {
        var options = new DbContextOptionsBuilder<SqlitePortalDbContext>()
            .UseSqlite($"Data Source={Path.Combine(Server.DataDirectory, "portal.db")}").Options;
        await using var db = new SqlitePortalDbContext(options);
        var user = await db.Users.SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
        db.Notifications.Add(new Notification
        {
            UserId = user.Id,
            OrganizationId = user.PersonalOrganizationId,
            KeyId = Guid.NewGuid(),
            Kind = NotificationKinds.KeyExpiring7Days,
            DueAt = DateTimeOffset.UtcNow.AddDays(7),
            Message = message,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }
}
