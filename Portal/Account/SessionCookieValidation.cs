using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Sessions;

namespace Portal.Account;

/// <summary>
/// The application cookie's check on every request: the cookie counts only while its session lives
/// (<see cref="UserSessions.IsAliveAsync"/>: not ended, issued under the user's current security
/// stamp). It takes the place of Identity's security-stamp validator, which re-reads the stamp only
/// every 30 minutes. A cookie event rather than a custom <c>ITicketStore</c>: the cookie stays
/// self-contained (no server lookup to rebuild the principal, no change to how it is sealed), and
/// the only server state that matters, whether the session still lives, is one small row and the
/// user's stamp, which both this check and the Blazor circuit read through the same service.
/// </summary>
public static class SessionCookieValidation
{
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var identity = services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        if (SessionClaims.TicketOf(context.Principal, identity) is { } ticket
            && await services.GetRequiredService<UserSessions>().IsAliveAsync(ticket, context.HttpContext.RequestAborted))
        {
            return;
        }

        // Refused: the request goes on anonymous and the browser's copy of the cookie is deleted.
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
