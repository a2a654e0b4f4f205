using Portal.Core.Protections;

namespace Portal.Core.Validation;

/// <summary>A decision about a token: a reason code and, when the key was identified, its snapshot.</summary>
/// <param name="Code">The reason code (<see cref="ReasonCodes"/>).</param>
/// <param name="Key">The key's snapshot when the token named a key of the request's organization; null otherwise.</param>
/// <param name="At">
/// The moment the decision was made for (time windows): what a door forwards about the key (its
/// scopes open now, <see cref="Access.CompiledAccess.OpenAt"/>) is read at this same moment.
/// Default for decisions made without a key.
/// </param>
/// <param name="Limits">The rate limits' and quota's state after this decision (for <c>RateLimit</c> and <c>Retry-After</c>); <see cref="LimitOutcome.Unlimited"/> when none applied.</param>
/// <param name="Detail">For <see cref="ReasonCodes.SignatureInvalid"/>: what is wrong with the signature, a fixed English sentence safe to return to the client.</param>
/// <param name="Scope">The scope the request needed, when one was asked for or named by <paramref name="Rule"/>; null when the decision came before any scope was read, or none was needed.</param>
/// <param name="Rule">The API's endpoint rule that matched the request and named <paramref name="Scope"/>; null when no rule was read or none matched.</param>
public readonly record struct ValidationResult(
    string Code, KeySnapshot? Key, DateTimeOffset At = default, LimitOutcome Limits = default, RateLimitPlan? Plan = null, string? Detail = null,
    string? Scope = null, Access.CompiledRule? Rule = null)
{
    public bool IsValid => ReferenceEquals(Code, ReasonCodes.Valid);

    public static ValidationResult Missing { get; } = new(ReasonCodes.Missing, null);

    public static ValidationResult Malformed { get; } = new(ReasonCodes.Malformed, null);

    public static ValidationResult NotFound { get; } = new(ReasonCodes.NotFound, null);

    public static ValidationResult Blocked { get; } = new(ReasonCodes.Blocked, null);
}
