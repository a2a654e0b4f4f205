namespace Portal.Core.Notifications;

/// <summary>
/// An in-app message to one user, e.g. "your key expires in 7 days". The unique
/// (key, kind, due) index makes each reminder exist at most once, however many job runs race.
/// </summary>
public sealed class Notification
{
    public const int MessageMaxLength = 500;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid UserId { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid? KeyId { get; set; }

    /// <summary>A stable kind such as <c>key.expiring.7d</c>; see <see cref="NotificationKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>The moment the reminder is about (the expiry, the rotation deadline).</summary>
    public DateTimeOffset DueAt { get; set; }

    public required string Message { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>Kinds of notifications; the reminders' names are also the <c>type</c> of their webhook events.</summary>
public static class NotificationKinds
{
    public const string KeyExpiring7Days = "key.expiring.7d";
    public const string KeyExpiring1Day = "key.expiring.1d";
    public const string RotationDue7Days = "key.rotation_due.7d";
    public const string RotationDue1Day = "key.rotation_due.1d";

    /// <summary>To an organization's admins and owners: a member's removal or role change revoked or reduced their keys.</summary>
    public const string MemberKeysChanged = "member.keys_changed";

    /// <summary>To a key's owner and the organization's admins and owners: a leaked-key signal (also a webhook event of this type).</summary>
    public const string KeySuspicious = "key.suspicious";

    /// <summary>To a key's owner and the organization's admins and owners: a token of the key was reported found in public (also a webhook event of this type).</summary>
    public const string KeyLeaked = "key.leaked";
}
