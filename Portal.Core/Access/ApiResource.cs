namespace Portal.Core.Access;

/// <summary>
/// A resource of an organization's catalog (<c>orders</c>, <c>invoices</c>): an API its keys
/// guard. Every resource has the actions read &lt; write &lt; admin, plus the custom ones listed here
/// (<c>refund</c> for <c>orders:refund</c>).
/// </summary>
public sealed class ApiResource
{
    public const int NameMaxLength = 64;
    public const int DescriptionMaxLength = 300;
    public const int MaxCustomActions = 20;

    public static readonly IReadOnlyList<string> StandardActions = ["read", "write", "admin"];

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public List<string> CustomActions { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public IEnumerable<string> Actions => StandardActions.Concat(CustomActions);
}

/// <summary>An endpoint rule of an API: requests with this method (or <c>*</c>) and path template need this scope.</summary>
public sealed class EndpointRule
{
    /// <summary>The methods a rule may name. HEAD is decided as GET (an upstream answers it with the GET handler), so a GET rule covers it.</summary>
    public static readonly IReadOnlyList<string> Methods = ["*", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>The <see cref="Apis.ProtectedApi"/> whose requests this rule decides.</summary>
    public Guid ApiId { get; set; }

    public required string Method { get; set; }

    public required string PathTemplate { get; set; }

    public required string Scope { get; set; }

    /// <summary>The credits a request this rule allows takes from the key's quota (1 to <see cref="MaxCost"/>).</summary>
    public int Cost { get; set; } = 1;

    /// <summary>A request this rule matches must carry a valid RFC 9421 signature (<c>SIGNATURE_REQUIRED</c> otherwise).</summary>
    public bool SignatureRequired { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The largest cost of one request.</summary>
    public const int MaxCost = 1_000_000;
}
