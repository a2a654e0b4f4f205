using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Core.Organizations;

namespace Portal.Account;

/// <summary>The signed-in person as a <see cref="Caller"/> for Portal.Core, in a page or a circuit.</summary>
public sealed class PortalCaller(AuthenticationStateProvider authentication)
{
    /// <summary>The client address of the request that opened this page or circuit, when known.</summary>
    public string? ClientIp { get; set; }

    /// <summary>
    /// The caller as the circuit knows it now: read each time, never kept, so a circuit whose session
    /// ended (and became anonymous at revalidation) acts as nobody from then on.
    /// </summary>
    public async Task<Caller?> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return From(state.User, ClientIp);
    }

    public static Caller? From(ClaimsPrincipal user, string? clientIp = null)
    {
        if (user.Identity?.IsAuthenticated != true || !Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            return null;
        }

        return new Caller(id, user.FindFirstValue(ClaimTypes.Name) ?? id.ToString(), Channels.Portal, clientIp);
    }
}
