using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Sessions;

/// <summary>What a session cookie carries that decides whether it still counts: its session and the security stamp it was issued under.</summary>
/// <param name="SecurityStamp">The stamp claim of the cookie; null when the cookie has none (never alive).</param>
public sealed record SessionTicket(Guid SessionId, Guid UserId, string? SecurityStamp);

/// <summary>A live session as its person sees it on the account page.</summary>
/// <param name="IsCurrent">The session of the browser asking.</param>
public sealed record ActiveSession(Guid Id, string Device, string? ClientIp, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, bool IsCurrent);

/// <summary>
/// The one place that decides whether a portal session lives, and the only writer of session rows.
/// A session lives while its row is not ended and the cookie's security stamp is the user's current
/// one: the cookie check on every request and the Blazor circuit's revalidation both ask
/// <see cref="IsAliveAsync"/>. An answer is remembered for <see cref="SessionCheckOptions.CheckCacheSeconds"/>
/// on this node; ending a session here forgets it at once, so the bound only matters for ends written
/// by another node and for security stamps changed in the database (a password or 2FA change, a role
/// change or removal). Never logs a cookie or a stamp.
/// </summary>
public sealed class UserSessions(IDbContextFactory<PortalDbContext> contexts, IOptions<SessionCheckOptions> options, TimeProvider time) : IDisposable
{
    /// <summary>
    /// How long a session lasts without use: the cookie's sliding lifetime, which the cookie itself
    /// enforces. The list shows no session idle for longer.
    /// </summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromHours(8);

    /// <summary><see cref="UserSession.LastSeenAt"/> moves at most this often: one write a minute per active session, not one per request.</summary>
    public static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    private const int CacheEntries = 100_000;
    private readonly MemoryCache _checked = new(new MemoryCacheOptions { SizeLimit = CacheEntries });

    /// <summary>Starts a session for a completed sign-in and returns its id (for the cookie's claim).</summary>
    /// <param name="securityStamp">The user's security stamp the cookie is issued under.</param>
    /// <param name="device">A short browser description (<see cref="DeviceDescription"/>); cut to <see cref="UserSession.DeviceMaxLength"/>.</param>
    /// <param name="clientIp">The client address as the portal sees it; null when unknown.</param>
    public async Task<Guid> StartAsync(Guid userId, string securityStamp, string device, string? clientIp, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var session = new UserSession
        {
            Id = new Guid(RandomNumberGenerator.GetBytes(16)),
            UserId = userId,
            CreatedAt = now,
            LastSeenAt = now,
            SecurityStamp = securityStamp,
            Device = Cut(device, UserSession.DeviceMaxLength),
            ClientIp = clientIp is null ? null : Cut(clientIp, UserSession.ClientIpMaxLength),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session.Id;
    }

    /// <summary>
    /// Whether the session of a cookie still lives: its row exists for that user and is not ended,
    /// and the cookie's stamp is the user's current security stamp. Moves the session's last-seen
    /// time forward when it is older than <see cref="LastSeenResolution"/>.
    /// </summary>
    public async Task<bool> IsAliveAsync(SessionTicket ticket, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(ticket.SecurityStamp))
        {
            return false;
        }

        // Fresh by the TimeProvider's clock (the bound tests can step over); the cache's own expiry
        // only frees memory.
        var bound = TimeSpan.FromSeconds(options.Value.CheckCacheSeconds);
        if (!_checked.TryGetValue(ticket.SessionId, out CheckedSession? state) || state is null || time.GetUtcNow() - state.ReadAt >= bound)
        {
            state = await ReadAsync(ticket.SessionId, cancellationToken);
            if (bound > TimeSpan.Zero)
            {
                _checked.Set(ticket.SessionId, state, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = bound });
            }
        }

        return !state.Ended && state.UserId == ticket.UserId
            && string.Equals(state.UserStamp, ticket.SecurityStamp, StringComparison.Ordinal);
    }

    /// <summary>
    /// The session's cookie was issued again under the user's new stamp (after the person's own
    /// password or 2FA change): the row follows. False when the session is no longer there to renew.
    /// </summary>
    public async Task<bool> RenewAsync(SessionTicket ticket, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var renewed = await db.UserSessions
            .Where(s => s.Id == ticket.SessionId && s.UserId == ticket.UserId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.SecurityStamp, ticket.SecurityStamp ?? "").SetProperty(x => x.LastSeenAt, now), cancellationToken);
        _checked.Remove(ticket.SessionId);
        return renewed == 1;
    }

    /// <summary>Ends one session of the user (someone else's id ends nothing). True when a live session was ended.</summary>
    public async Task<bool> EndAsync(Guid userId, Guid sessionId, SessionEndReason reason, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ended = await db.UserSessions
            .Where(s => s.Id == sessionId && s.UserId == userId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, reason), cancellationToken);
        _checked.Remove(sessionId);
        return ended == 1;
    }

    /// <summary>Ends every live session of the user but <paramref name="keep"/> (null: all of them); returns how many were ended.</summary>
    public async Task<int> EndOthersAsync(Guid userId, Guid? keep, SessionEndReason reason, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var others = db.UserSessions.Where(s => s.UserId == userId && s.EndedAt == null && s.Id != keep);
        var ids = await others.Select(s => s.Id).ToListAsync(cancellationToken);
        var ended = await others.ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, reason), cancellationToken);
        foreach (var id in ids)
        {
            _checked.Remove(id);
        }

        return ended;
    }

    /// <summary>
    /// The user's live sessions: not ended, seen within <see cref="IdleLifetime"/>, issued under the
    /// current security stamp. The current one first, then the most recently seen.
    /// </summary>
    public async Task<IReadOnlyList<ActiveSession>> ListAsync(Guid userId, Guid? current, CancellationToken cancellationToken = default)
    {
        var since = time.GetUtcNow() - IdleLifetime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).FirstOrDefaultAsync(cancellationToken);
        var sessions = await db.UserSessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.EndedAt == null && s.LastSeenAt > since && s.SecurityStamp == stamp)
            .ToListAsync(cancellationToken);
        return [.. sessions
            .Select(s => new ActiveSession(s.Id, s.Device, s.ClientIp, s.CreatedAt, s.LastSeenAt, s.Id == current))
            .OrderByDescending(s => s.IsCurrent).ThenByDescending(s => s.LastSeenAt).ThenBy(s => s.Id)];
    }

    public void Dispose() => _checked.Dispose();

    private async Task<CheckedSession> ReadAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.UserSessions.AsNoTracking()
            .Where(s => s.Id == sessionId)
            .Select(s => new { s.UserId, s.EndedAt, s.LastSeenAt, UserStamp = db.Users.Where(u => u.Id == s.UserId).Select(u => u.SecurityStamp).FirstOrDefault() })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return new CheckedSession(Guid.Empty, Ended: true, UserStamp: null, now);
        }

        if (row.EndedAt is null && now - row.LastSeenAt >= LastSeenResolution)
        {
            await db.UserSessions.Where(s => s.Id == sessionId && s.EndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), cancellationToken);
        }

        return new CheckedSession(row.UserId, row.EndedAt is not null, row.UserStamp, now);
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    private sealed record CheckedSession(Guid UserId, bool Ended, string? UserStamp, DateTimeOffset ReadAt);
}
