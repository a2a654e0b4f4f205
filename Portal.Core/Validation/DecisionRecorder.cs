using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Usage;

namespace Portal.Core.Validation;

/// <summary>Where a decision came from, for usage counts and the authentication log.</summary>
/// <param name="StartTimestamp">A <see cref="Stopwatch.GetTimestamp"/> taken when the request reached the door.</param>
public readonly record struct DecisionSource(string Door, string? Method, string? Path, string? ClientIp, string? UserAgent, long StartTimestamp);

/// <summary>
/// Counts every decision (per key, minute and reason code) and appends it to the authentication
/// log. Both are in memory and never block: the database is written in batches elsewhere.
/// </summary>
public sealed class DecisionRecorder
{
    private readonly UsageCounters _usage;
    private readonly AuthenticationLog _log;
    private readonly TimeProvider _time;
    private readonly Counter<long> _decisions;

    public DecisionRecorder(UsageCounters usage, AuthenticationLog log, TimeProvider time, IMeterFactory meters)
    {
        _usage = usage;
        _log = log;
        _time = time;
        _decisions = meters.Create(AuthenticationLog.MeterName).CreateCounter<long>("portal.validation.decisions", description: "Key validation decisions by reason code and door.");
    }

    public void Record(in ValidationResult result, string? token, in DecisionSource source)
    {
        var now = _time.GetUtcNow();
        _decisions.Add(1, new("code", result.Code), new("door", source.Door));
        if (result.Key is { } key)
        {
            _usage.Count(key.KeyId, key.OrganizationId, result.Code, now, source.ClientIp);
        }

        _log.TryAppend(new AuthenticationLogRecord
        {
            OccurredAt = now,
            KeyId = result.Key?.KeyId,
            OrganizationId = result.Key?.OrganizationId,
            OwnerId = result.Key?.OwnerId,
            // Every code but MALFORMED means the token parsed, so its hint can be shown.
            KeyHint = token is not null && !ReferenceEquals(result.Code, ReasonCodes.Malformed) ? ApiKeyToken.Hint(token) : null,
            Code = result.Code,
            Door = source.Door,
            Method = Truncate(source.Method, 16),
            Path = Truncate(source.Path, AuthenticationLogRecord.PathMaxLength),
            ClientIp = Truncate(source.ClientIp, 45),
            UserAgent = Truncate(source.UserAgent, AuthenticationLogRecord.UserAgentMaxLength),
            LatencyMicroseconds = (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(source.StartTimestamp).Ticks / 10),
        });
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
