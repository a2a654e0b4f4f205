namespace Portal.Core.Keys;

/// <summary>
/// One token a key has had, stored only as <c>HMAC-SHA256(pepper_vN, token)</c>. The current token
/// has no <see cref="RetiresAt"/>; a rotated-out one keeps working until that time.
/// </summary>
public sealed class ApiKeySecret
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid ApiKeyId { get; set; }

    public required byte[] Hash { get; set; }

    public int PepperVersion { get; set; }

    public required string Hint { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a rotated-out token stops working; null while it is the key's current token.</summary>
    public DateTimeOffset? RetiresAt { get; set; }

    /// <summary>
    /// When the grace job saw <see cref="RetiresAt"/> pass and recorded the token's end. The row stays
    /// (as token history, and so its hash can never be issued again); the validator refuses it by time.
    /// </summary>
    public DateTimeOffset? RetiredAt { get; set; }

    public ApiKey? ApiKey { get; set; }
}
