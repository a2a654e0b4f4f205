using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Sessions;

namespace Portal.Account;

/// <summary>How a portal cookie names its server-side session.</summary>
public static class SessionClaims
{
    /// <summary>The session id claim, named as OpenID Connect names a session (<c>sid</c>).</summary>
    public const string SessionId = "sid";

    /// <summary>The session id a principal carries, or null.</summary>
    public static Guid? SessionIdOf(ClaimsPrincipal? principal) =>
        Guid.TryParse(principal?.FindFirstValue(SessionId), out var id) ? id : null;

    /// <summary>What <see cref="UserSessions.IsAliveAsync"/> needs from a principal; null when it names no session or user.</summary>
    public static SessionTicket? TicketOf(ClaimsPrincipal? principal, IdentityOptions identity) =>
        principal is not null && SessionIdOf(principal) is { } session && Guid.TryParse(principal.FindFirstValue(identity.ClaimsIdentity.UserIdClaimType), out var user)
            ? new SessionTicket(session, user, principal.FindFirstValue(identity.ClaimsIdentity.SecurityStampClaimType))
            : null;
}
