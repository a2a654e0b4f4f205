using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Sessions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Sessions;

/// <summary>The one decision "does this session live", on a real database, with the app's fake clock.</summary>
public abstract class UserSessionsTests(PortalApp app)
{
    [Fact]
    public async Task IsAlive_StartedSession_TrueUntilEnded()
    {
        var (sessions, ticket) = await StartAsync();

        Assert.True(await sessions.IsAliveAsync(ticket));
        Assert.True(await sessions.EndAsync(ticket.UserId, ticket.SessionId, SessionEndReason.SignedOut));

        Assert.False(await sessions.IsAliveAsync(ticket));
        Assert.False(await sessions.EndAsync(ticket.UserId, ticket.SessionId, SessionEndReason.SignedOut));
    }

    [Fact]
    public async Task IsAlive_OtherStampOrUserOrNoStamp_False()
    {
        var (sessions, ticket) = await StartAsync();

        Assert.False(await sessions.IsAliveAsync(ticket with { SecurityStamp = "another stamp" }));
        Assert.False(await sessions.IsAliveAsync(ticket with { SecurityStamp = null }));
        Assert.False(await sessions.IsAliveAsync(ticket with { UserId = Guid.NewGuid() }));
        Assert.False(await sessions.IsAliveAsync(ticket with { SessionId = Guid.NewGuid() }));
    }

    [Fact]
    public async Task EndedOnAnotherNode_SeenWithinCheckCacheSeconds()
    {
        var (sessions, ticket) = await StartAsync();
        using var otherNode = new UserSessions(app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), app.Services.GetRequiredService<IOptions<SessionCheckOptions>>(), app.Clock);
        Assert.True(await sessions.IsAliveAsync(ticket));

        await otherNode.EndAsync(ticket.UserId, ticket.SessionId, SessionEndReason.EndedByUser);
        var beforeTheBound = await sessions.IsAliveAsync(ticket);
        app.Clock.Advance(TimeSpan.FromSeconds(app.Services.GetRequiredService<IOptions<SessionCheckOptions>>().Value.CheckCacheSeconds));

        // This node still trusts its recent answer inside the bound, and asks again after it.
        Assert.True(beforeTheBound);
        Assert.False(await sessions.IsAliveAsync(ticket));
    }

    [Fact]
    public async Task LastSeen_MovesOncePerResolution()
    {
        var (sessions, ticket) = await StartAsync();
        var started = app.Clock.GetUtcNow();

        app.Clock.Advance(UserSessions.LastSeenResolution / 2);
        await sessions.IsAliveAsync(ticket);
        var early = await LastSeenAsync(ticket.SessionId);
        app.Clock.Advance(UserSessions.LastSeenResolution);
        await sessions.IsAliveAsync(ticket);

        // Within a millisecond: the databases keep fewer digits than DateTimeOffset.
        Assert.True((early - started).Duration() < TimeSpan.FromMilliseconds(1), $"{early:O} is not {started:O}");
        var later = await LastSeenAsync(ticket.SessionId);
        Assert.True((later - app.Clock.GetUtcNow()).Duration() < TimeSpan.FromMilliseconds(1), $"{later:O} did not move forward");
    }

    [Fact]
    public async Task EndOthers_KeepsTheOneNamed()
    {
        var (sessions, kept) = await StartAsync();
        var other = kept with { SessionId = await sessions.StartAsync(kept.UserId, kept.SecurityStamp!, "Firefox on Linux", "203.0.113.9") };

        Assert.Equal(1, await sessions.EndOthersAsync(kept.UserId, kept.SessionId, SessionEndReason.SignedOutElsewhere));

        Assert.True(await sessions.IsAliveAsync(kept));
        Assert.False(await sessions.IsAliveAsync(other));
        var listed = Assert.Single(await sessions.ListAsync(kept.UserId, kept.SessionId));
        Assert.True(listed.IsCurrent);
    }

    private async Task<(UserSessions Sessions, SessionTicket Ticket)> StartAsync()
    {
        var user = await app.NewUserAsync();
        var sessions = app.Services.GetRequiredService<UserSessions>();
        var stamp = user.User.SecurityStamp!;
        var id = await sessions.StartAsync(user.User.Id, stamp, DeviceDescription.Of("curl/8.5.0"), "127.0.0.1");
        return (sessions, new SessionTicket(id, user.User.Id, stamp));
    }

    private async Task<DateTimeOffset> LastSeenAsync(Guid sessionId)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().UserSessions.Where(s => s.Id == sessionId).Select(s => s.LastSeenAt).SingleAsync();
    }
}

public sealed class SqliteUserSessionsTests(SqliteApp app) : UserSessionsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlUserSessionsTests(PostgreSqlApp app) : UserSessionsTests(app), IClassFixture<PostgreSqlApp>;
