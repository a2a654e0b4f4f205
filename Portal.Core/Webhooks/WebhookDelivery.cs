namespace Portal.Core.Webhooks;

/// <summary>
/// One event waiting to reach an organization's endpoint (an outbox row). Jobs that raise events
/// only add rows; <see cref="WebhookDispatch"/> sends them, so a slow or failing endpoint never
/// holds up the job that raised the event. Retried with backoff until <see cref="WebhookDispatch.MaxAttempts"/>.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string EventType { get; set; }

    /// <summary>The JSON body, signed and sent as is on every attempt.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>Set when the last attempt was made and failed; the row is not tried again.</summary>
    public DateTimeOffset? AbandonedAt { get; set; }

    /// <summary>The status code or error kind of the last failed attempt; never a response body.</summary>
    public string? LastError { get; set; }

    /// <summary>Claimed by one dispatcher at a time: a second node's claim fails on this stamp.</summary>
    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    /// <summary>The Standard Webhooks <c>webhook-id</c>: the same on every attempt, so receivers can de-duplicate.</summary>
    public string MessageId => $"msg_{Id:N}";
}
