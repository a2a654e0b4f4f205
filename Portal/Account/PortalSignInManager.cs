using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Auth;
using Portal.Core.Organizations;
using Portal.Core.Sessions;

namespace Portal.Account;

/// <summary>
/// Identity's sign-in manager with server-side sessions: every completed sign-in (password, 2FA,
/// recovery code, registration, setup) starts a <see cref="UserSession"/> whose id the cookie
/// carries; re-issuing the cookie after the person's own password or 2FA change keeps that session
/// under the new stamp; signing out ends it on the server, so a copy of the cookie stops working.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation,
    UserSessions sessions,
    ClientAddressResolver addresses)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    // Set while RefreshSignInAsync re-issues the cookie of this session.
    private Guid? _renewing;

    // The session of the cookie this request last issued.
    private Guid? _issued;

    /// <summary>The session of the cookie this request issued (after a sign-in or a move to a new session), or null.</summary>
    public Guid? IssuedSessionId => _issued;

    /// <summary>The session of the current request's cookie, or null.</summary>
    public Guid? CurrentSessionId => SessionClaims.SessionIdOf(Context.User);

    public override async Task RefreshSignInAsync(PortalUser user)
    {
        // Identity authenticates once per request: this is the cookie the request came with.
        var current = await Context.AuthenticateAsync(AuthenticationScheme);
        _renewing = SessionClaims.SessionIdOf(current.Principal);
        try
        {
            await base.RefreshSignInAsync(user);
        }
        finally
        {
            _renewing = null;
        }
    }

    public override async Task SignInWithClaimsAsync(PortalUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var stamp = await UserManager.GetSecurityStampAsync(user);
        Guid? session = null;
        if (_renewing is { } renewing && await sessions.RenewAsync(new SessionTicket(renewing, user.Id, stamp)))
        {
            session = renewing;
        }

        session ??= await sessions.StartAsync(user.Id, stamp, DeviceDescription.Of(Context.Request.Headers.UserAgent), addresses.Resolve(Context));
        _issued = session;
        var claims = additionalClaims.Where(c => c.Type != SessionClaims.SessionId).Append(new Claim(SessionClaims.SessionId, session.Value.ToString()));
        await base.SignInWithClaimsAsync(user, authenticationProperties, claims);
    }

    /// <summary>
    /// After the person's own change of what proves them (password, 2FA): this browser's cookie is
    /// issued again under the new security stamp, in the same session, and every other session of
    /// theirs ends now. Returns how many other sessions ended.
    /// </summary>
    public async Task<int> KeepOnlyThisSessionAsync(PortalUser user, SessionEndReason reason)
    {
        _issued = null;
        await RefreshSignInAsync(user);
        return await sessions.EndOthersAsync(user.Id, _issued, reason);
    }

    /// <summary>
    /// "Sign out everywhere else": this browser moves to a new session and every other session of
    /// the person ends, the one it leaves included, so a copy of this browser's own cookie (the usual
    /// stolen one) ends too. Returns how many sessions ended besides the one left.
    /// </summary>
    public async Task<int> MoveToNewSessionAsync(PortalUser user, SessionEndReason reason)
    {
        var left = CurrentSessionId;
        _issued = null;
        // The base refresh, not this class's: nothing is marked for renewal, so the cookie is issued
        // in a session of its own.
        await base.RefreshSignInAsync(user);
        var ended = await sessions.EndOthersAsync(user.Id, _issued, reason);
        return left is null ? ended : Math.Max(0, ended - 1);
    }

    public override async Task SignOutAsync()
    {
        var current = await Context.AuthenticateAsync(AuthenticationScheme);
        if (current.Principal is { } principal && SessionClaims.SessionIdOf(principal) is { } session
            && Guid.TryParse(UserManager.GetUserId(principal), out var userId))
        {
            await sessions.EndAsync(userId, session, SessionEndReason.SignedOut);
        }

        await base.SignOutAsync();
    }
}
