using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.Usage;

/// <summary>One client that used a rotated-out token after the rotation.</summary>
public sealed record OldTokenClient(string? ClientIp, string? UserAgent, DateTimeOffset LastSeen, long Requests);

/// <summary>A token in its grace period and the clients still sending it.</summary>
public sealed record RetiringToken(string Hint, DateTimeOffset RotatedAt, DateTimeOffset RetiresAt, IReadOnlyList<OldTokenClient> Clients);

/// <summary>
/// During a rotation's grace period, who still sends the old token: the authentication log stores
/// the hint of the token each decision saw, and the old and new tokens have different hints. Lets an
/// owner chase those clients before the old token stops working.
/// </summary>
public sealed class RotationTelemetry(PortalDbContext db, UsageAccess access, TimeProvider time)
{
    public const int MaxClients = 50;

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
        var tokens = new List<RetiringToken>();
        for (var i = 0; i < secrets.Count - 1; i++)
        {
            var secret = secrets[i];
            if (secret.RetiresAt is not { } retiresAt || retiresAt <= now)
            {
                continue;
            }

            // The token was superseded when the next one was issued.
            var rotatedAt = secrets[i + 1].CreatedAt;
            var hint = secret.Hint;
            var clients = new Dictionary<(string? ClientIp, string? UserAgent), (DateTimeOffset LastSeen, long Requests)>();
            var segments = db.AuthenticationLogSegments.AsNoTracking().Where(s => s.KeyId == keyId && s.LastAt >= rotatedAt);
            await foreach (var segment in segments.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                foreach (var r in AuthenticationLogSegmentCodec.Decode(segment))
                {
                    if (r.OccurredAt >= rotatedAt && r.KeyHint == hint)
                    {
                        var seen = clients.GetValueOrDefault((r.ClientIp, r.UserAgent));
                        clients[(r.ClientIp, r.UserAgent)] = (r.OccurredAt > seen.LastSeen ? r.OccurredAt : seen.LastSeen, seen.Requests + 1);
                    }
                }
            }

            var rows = clients.Select(c => new { c.Key.ClientIp, c.Key.UserAgent, c.Value.LastSeen, c.Value.Requests });
            tokens.Add(new RetiringToken(hint, rotatedAt, retiresAt, [.. rows
                .OrderByDescending(r => r.LastSeen)
                .Take(MaxClients)
                .Select(r => new OldTokenClient(r.ClientIp, r.UserAgent, r.LastSeen, r.Requests))]));
        }

        return tokens;
    }
}
