using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Notifications;

/// <summary>A notification as its recipient sees it.</summary>
public sealed record NotificationView(Guid Id, Guid OrganizationId, Guid? KeyId, string Kind, string Message, DateTimeOffset CreatedAt, bool IsRead);

/// <summary>The signed-in user's own notifications (the bell). Nobody reads another user's.</summary>
public sealed class NotificationInbox(PortalDbContext db, TimeProvider time)
{
    public const int MaxListed = 20;

    public async Task<IReadOnlyList<NotificationView>> RecentAsync(Caller caller, CancellationToken cancellationToken = default) =>
        await Mine(caller)
            .OrderByDescending(n => n.CreatedAt)
            .Take(MaxListed)
            .Select(n => new NotificationView(n.Id, n.OrganizationId, n.KeyId, n.Kind, n.Message, n.CreatedAt, n.ReadAt != null))
            .ToListAsync(cancellationToken);

    public Task<int> UnreadCountAsync(Caller caller, CancellationToken cancellationToken = default) =>
        Mine(caller).CountAsync(n => n.ReadAt == null, cancellationToken);

    /// <summary>Marks all of the caller's unread notifications read; returns how many.</summary>
    public Task<int> MarkAllReadAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return Mine(caller).Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
    }

    private IQueryable<Notification> Mine(Caller caller)
    {
        var mine = db.Notifications.AsNoTracking().Where(n => n.UserId == caller.UserId);
        return caller.OrganizationId is { } only ? mine.Where(n => n.OrganizationId == only) : mine;
    }
}
