using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Sessions;

namespace Portal.Account;

/// <summary>
/// Asks every <c>Sessions:RevalidationSeconds</c> (5 by default) whether the session of a connected
/// circuit still lives, with the same check the cookie gets on every request
/// (<see cref="UserSessions.IsAliveAsync"/>). A circuit has no requests of its own: without this, a
/// tab opened before sign-out, a password change elsewhere or a removal would keep its rights for as
/// long as it stays open. When the answer is no, the circuit becomes anonymous and its page sends
/// the person to sign in.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    UserSessions sessions,
    IOptions<IdentityOptions> identity,
    IOptions<SessionCheckOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(options.Value.RevalidationSeconds);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        SessionClaims.TicketOf(authenticationState.User, identity.Value) is { } ticket && await sessions.IsAliveAsync(ticket, cancellationToken);
}
