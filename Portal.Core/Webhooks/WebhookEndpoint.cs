namespace Portal.Core.Webhooks;

/// <summary>
/// Where an organization receives signed events. The signing secret is stored only protected by
/// ASP.NET Core Data Protection and is shown to the admin once, when it is generated.
/// </summary>
public sealed class WebhookEndpoint
{
    public const int UrlMaxLength = 2000;

    public Guid OrganizationId { get; set; }

    public required string Url { get; set; }

    /// <summary>The secret's bytes, protected; never the secret in clear.</summary>
    public required string ProtectedSecret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
