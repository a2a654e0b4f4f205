namespace Portal.Core.Audit;

/// <summary>
/// One validation decision as the authentication log shows it, unpacked from its
/// <see cref="AuthenticationLogSegment"/>. Carries the token's display hint when the token was
/// well-formed, never the token.
/// </summary>
public sealed class AuthenticationLogRecord
{
    public const int PathMaxLength = 512;
    public const int UserAgentMaxLength = 256;

    /// <summary>A scope's longest form (<see cref="Access.Scope.MaxLength"/>).</summary>
    public const int ScopeMaxLength = Access.Scope.MaxLength;

    /// <summary>A rule's method, a space and its template (<see cref="Access.PathTemplate.MaxLength"/>).</summary>
    public const int RuleMaxLength = 16 + 1 + Access.PathTemplate.MaxLength;

    /// <summary>Time-ordered (version 7), given by the writer when it stores the record.</summary>
    public Guid Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public Guid? KeyId { get; set; }

    public Guid? OrganizationId { get; set; }

    public Guid? OwnerId { get; set; }

    public string? KeyHint { get; set; }

    public required string Code { get; set; }

    /// <summary><c>verify</c>, <c>check</c> or <c>api</c>.</summary>
    public required string Door { get; set; }

    public string? Method { get; set; }

    public string? Path { get; set; }

    public string? ClientIp { get; set; }

    public string? UserAgent { get; set; }

    /// <summary>Time spent deciding, in microseconds.</summary>
    public int LatencyMicroseconds { get; set; }

    /// <summary>
    /// How many decisions this record stands for: 1, or more for decisions without a usable key,
    /// folded per client address, door, code and minute (the record shows the first of them).
    /// </summary>
    public int Count { get; set; } = 1;

    /// <summary>The scope the request needed: asked for (verify's <c>scope</c>, the check URL's <c>?scope=</c>, the management API's requirement) or named by <see cref="Rule"/>; null when the decision came first or none was needed.</summary>
    public string? Scope { get; set; }

    /// <summary>The id of the API's endpoint rule that matched the request; null when no rule was read or none matched.</summary>
    public Guid? RuleId { get; set; }

    /// <summary>That rule as it was when it decided: its method and path template, <c>GET /orders/{id}</c>.</summary>
    public string? Rule { get; set; }

    /// <summary>
    /// The key's name as it is when the log is read (<see cref="AuthenticationLogQuery.ListAsync"/>
    /// fills it in: names change, and the log keeps none); null without a key, or for a deleted key.
    /// </summary>
    public string? KeyName { get; set; }
}

/// <summary>The doors a decision can come through.</summary>
public static class Doors
{
    public const string Verify = "verify";
    public const string Check = "check";
    public const string ExtAuthz = "ext_authz";
    public const string Api = "api";
}
