using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Usage;

namespace Portal.Core.Validation;

/// <summary>Where a decision came from, for usage counts and the authentication log.</summary>
/// <param name="StartTimestamp">A <see cref="Stopwatch.GetTimestamp"/> taken when the request reached the door.</param>
/// <param name="OrganizationId">The organization whose door it is, when the door knows (an API's check URL, a verify caller's key); keyless decisions are logged under it.</param>
public readonly record struct DecisionSource(string Door, string? Method, string? Path, string? ClientIp, string? UserAgent, long StartTimestamp, Guid? OrganizationId = null);

/// <summary>
/// Counts every decision (per key, minute and reason code) and appends it to the authentication
/// log. Both are in memory and never block: the database is written in batches elsewhere.
/// Decisions without a key are folded per address and minute (<see cref="KeylessDecisions"/>).
/// </summary>
public sealed class DecisionRecorder : IDisposable
{
    private readonly UsageCounters _usage;
    private readonly AuthenticationLog _log;
    private readonly TimeProvider _time;
    private readonly Counter<long> _decisions;
    private readonly KeylessDecisions _keyless;

    [ThreadStatic]
    private static string? t_lastHint;

    public DecisionRecorder(UsageCounters usage, AuthenticationLog log, TimeProvider time, IMeterFactory meters)
    {
        _usage = usage;
        _log = log;
        _time = time;
        _decisions = meters.Create(AuthenticationLog.MeterName).CreateCounter<long>("portal.validation.decisions", description: "Key validation decisions by reason code and door.");
        _keyless = new KeylessDecisions(log, time, meters);
    }

    /// <summary>The keyless decisions waiting for their minute's record.</summary>
    public KeylessDecisions Keyless => _keyless;

    public void Record(in ValidationResult result, string? token, in DecisionSource source)
    {
        var now = _time.GetUtcNow();
        _decisions.Add(1, new("code", result.Code), new("door", source.Door));
        var key = result.Key;
        // The columns that keep an address hold 45 characters (the longest IPv6 text form); every door gives a parsed address, this is the backstop.
        var clientIp = Truncate(source.ClientIp, 45);
        if (key is not null)
        {
            _usage.Count(key.KeyId, key.OrganizationId, result.Code, now, clientIp);
        }

        var entry = new AuthenticationLogEntry(
            OccurredAt: now,
            KeyId: key?.KeyId,
            // A keyless decision goes in the log of the organization whose door it is (a missing or
            // unreadable credential at its API), except an unknown token's: that may be another
            // tenant's key, whose existence the door's owner must not learn from the log.
            OrganizationId: key?.OrganizationId ?? (result.Code == ReasonCodes.NotFound ? null : source.OrganizationId),
            OwnerId: key?.OwnerId,
            // A known key's token parsed, and so did one refused as unknown or for its state; a blocked
            // address's token was never read (it may be anything), nor a malformed or missing one.
            KeyHint: !string.IsNullOrEmpty(token) && (key is not null || !(ReferenceEquals(result.Code, ReasonCodes.Malformed) || ReferenceEquals(result.Code, ReasonCodes.Missing) || ReferenceEquals(result.Code, ReasonCodes.Blocked))) ? HintOf(token) : null,
            Code: result.Code,
            Door: source.Door,
            Method: Truncate(source.Method, 16),
            Path: Truncate(source.Path, AuthenticationLogRecord.PathMaxLength),
            ClientIp: clientIp,
            UserAgent: Truncate(source.UserAgent, AuthenticationLogRecord.UserAgentMaxLength),
            LatencyMicroseconds: (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(source.StartTimestamp).Ticks / 10),
            // What decided, so a person can tell why: the scope needed and the rule that named it (strings made once per rule or scope).
            Scope: Truncate(result.Scope, AuthenticationLogRecord.ScopeMaxLength),
            RuleId: result.Rule?.IdText,
            Rule: Truncate(result.Rule?.Text, AuthenticationLogRecord.RuleMaxLength));
        if (key is null)
        {
            _keyless.Add(entry);
        }
        else
        {
            _log.TryAppend(entry);
        }
    }

    public void Dispose() => _keyless.Dispose();

    // Gateways send the same few tokens over and over. Reusing this thread's last hint when it fits
    // the token spares a string per request that would otherwise wait in the log's queue, and age
    // there through garbage collections, until the writer stores it.
    private static string HintOf(string token)
    {
        var last = t_lastHint;
        if (last is not null && ApiKeyToken.IsHintOf(last, token))
        {
            return last;
        }

        return t_lastHint = ApiKeyToken.Hint(token);
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
