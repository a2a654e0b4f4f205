using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Usage;

/// <summary>One client that used a rotated-out token after the rotation.</summary>
public sealed record OldTokenClient(string? ClientIp, string? UserAgent, DateTimeOffset LastSeen, long Requests);

/// <summary>A token in its grace period and the clients still sending it.</summary>
/// <param name="Clients">At most <see cref="RotationTelemetry.MaxClients"/> clients, most recently seen first.</param>
/// <param name="Partial">
/// True when the counts stop short: the reading stopped at <see cref="RotationTelemetry.MaxRecordsRead"/>
/// records (the newest ones are counted), or more than <see cref="RotationTelemetry.MaxTrackedClients"/>
/// distinct clients sent the old token (later ones are not told apart).
/// </param>
public sealed record RetiringToken(string Hint, DateTimeOffset RotatedAt, DateTimeOffset RetiresAt, IReadOnlyList<OldTokenClient> Clients, bool Partial = false);

/// <summary>
/// During a rotation's grace period, who still sends the old token: the authentication log stores
/// the hint of the token each decision saw, and the old and new tokens have different hints. Lets an
/// owner chase those clients before the old token stops working.
/// </summary>
/// <remarks>
/// Capped whatever the key's traffic: at most <see cref="MaxRetiringTokens"/> tokens (the latest
/// rotations), one newest-first pass over the key's log segments reading at most
/// <see cref="MaxRecordsRead"/> records, and at most <see cref="MaxTrackedClients"/> distinct clients
/// per token.
/// </remarks>
public sealed class RotationTelemetry(PortalDbContext db, UsageAccess access, TimeProvider time)
{
    /// <summary>The most clients shown per token.</summary>
    public const int MaxClients = 50;

    /// <summary>The most tokens in their grace period shown: those of the latest rotations.</summary>
    public const int MaxRetiringTokens = 10;

    /// <summary>The most authentication log records one call reads, newest first.</summary>
    public const int MaxRecordsRead = 200_000;

    /// <summary>The most distinct clients (address and user agent) counted per token.</summary>
    public const int MaxTrackedClients = 1_000;

    /// <summary>The key's tokens in their grace period with their clients; null when the caller may not see the key's usage.</summary>
    public async Task<IReadOnlyList<RetiringToken>?> RetiringTokensAsync(Caller caller, Guid organizationId, Guid keyId, CancellationToken cancellationToken = default)
    {
        if (await access.ResolveAsync(caller, UsageScope.ForKey(organizationId, keyId), cancellationToken) is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var secrets = await db.ApiKeySecrets.AsNoTracking()
            .Where(s => s.ApiKeyId == keyId)
            .Select(s => new { s.Hint, s.CreatedAt, s.RetiresAt })
            .ToListAsync(cancellationToken);
        secrets = [.. secrets.OrderBy(s => s.CreatedAt)];

        // A token was superseded when the next one was issued; only those still in their grace count.
        var retiring = new List<Tally>();
        for (var i = secrets.Count - 2; i >= 0 && retiring.Count < MaxRetiringTokens; i--)
        {
            if (secrets[i].RetiresAt is { } retiresAt && retiresAt > now)
            {
                retiring.Add(new Tally(secrets[i].Hint, secrets[i + 1].CreatedAt, retiresAt));
            }
        }

        if (retiring.Count == 0)
        {
            return [];
        }

        var since = retiring.Min(t => t.RotatedAt);
        var byHint = retiring.GroupBy(t => t.Hint, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var read = 0;
        var stopped = false;
        var segments = db.AuthenticationLogSegments.AsNoTracking()
            .Where(s => s.KeyId == keyId && s.LastAt >= since)
            .OrderByDescending(s => s.LastAt).ThenByDescending(s => s.Id);
        await foreach (var segment in segments.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (read >= MaxRecordsRead)
            {
                stopped = true;
                break;
            }

            read += segment.Count;
            foreach (var r in AuthenticationLogSegmentCodec.Decode(segment))
            {
                if (r.KeyHint is { } hint && byHint.TryGetValue(hint, out var tallies))
                {
                    foreach (var tally in tallies)
                    {
                        tally.Count(r);
                    }
                }
            }
        }

        return [.. retiring.OrderBy(t => t.RotatedAt).Select(t => t.ToToken(stopped))];
    }

    private sealed class Tally(string hint, DateTimeOffset rotatedAt, DateTimeOffset retiresAt)
    {
        private readonly Dictionary<(string? ClientIp, string? UserAgent), (DateTimeOffset LastSeen, long Requests)> _clients = [];
        private bool _full;

        public string Hint => hint;

        public DateTimeOffset RotatedAt => rotatedAt;

        public void Count(AuthenticationLogRecord r)
        {
            if (r.OccurredAt < rotatedAt)
            {
                return;
            }

            var client = (r.ClientIp, r.UserAgent);
            if (!_clients.TryGetValue(client, out var seen))
            {
                if (_clients.Count >= MaxTrackedClients)
                {
                    _full = true;
                    return;
                }
            }

            _clients[client] = (r.OccurredAt > seen.LastSeen ? r.OccurredAt : seen.LastSeen, seen.Requests + 1);
        }

        public RetiringToken ToToken(bool stopped) => new(
            hint,
            rotatedAt,
            retiresAt,
            [.. _clients
                .OrderByDescending(c => c.Value.LastSeen)
                .Take(MaxClients)
                .Select(c => new OldTokenClient(c.Key.ClientIp, c.Key.UserAgent, c.Value.LastSeen, c.Value.Requests))],
            stopped || _full);
    }
}
