namespace Portal.Core.Audit;

/// <summary>
/// One decision waiting in <see cref="AuthenticationLog"/>'s queue. A value type, so queuing a
/// decision allocates nothing; the writer gives it its id and packs it into an
/// <see cref="AuthenticationLogSegment"/>. Carries the token's display hint, never the token.
/// <paramref name="Count"/> is how many decisions the entry stands for: 1, or more for keyless
/// decisions folded per address and minute (<see cref="Validation.KeylessDecisions"/>).
/// <paramref name="Scope"/> is the scope the request needed (asked for, or named by the rule);
/// <paramref name="RuleId"/> and <paramref name="Rule"/> (<c>GET /orders/{id}</c>) name the endpoint rule
/// that matched; each null when the decision came before it, or there was none.
/// </summary>
public readonly record struct AuthenticationLogEntry(
    DateTimeOffset OccurredAt,
    Guid? KeyId,
    Guid? OrganizationId,
    Guid? OwnerId,
    string? KeyHint,
    string Code,
    string Door,
    string? Method,
    string? Path,
    string? ClientIp,
    string? UserAgent,
    int LatencyMicroseconds,
    int Count = 1,
    string? Scope = null,
    string? RuleId = null,
    string? Rule = null);
