using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Core.TwoFactor;

/// <summary>
/// Identity's authenticator (TOTP) provider, with each code accepted once. Registered under
/// Identity's own name (<see cref="TokenOptions.DefaultAuthenticatorProvider"/>), so sign-in, the
/// 2FA setup page and anything else that verifies an authenticator code goes through it.
/// Identity's <see cref="AuthenticatorTokenProvider{TUser}"/> accepts any code of the five steps
/// around now, as often as it is sent; this one accepts a step either side of now (RFC 6238 §5.2
/// recommends at most one step of allowed delay) and only a step later than the last one the person
/// used (<see cref="AuthenticatorCodeUse"/>), decided by one conditional write so two requests with
/// the same code cannot both win. Time comes from <see cref="TimeProvider"/>.
/// </summary>
public sealed class OneTimeAuthenticatorTokenProvider(IDbContextFactory<PortalDbContext> contexts, TimeProvider time) : IUserTwoFactorTokenProvider<PortalUser>
{
    /// <summary>Steps accepted either side of the current one.</summary>
    public const int Window = 1;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PortalUser> manager, PortalUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>Nothing is sent: the code comes from the person's authenticator app.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<PortalUser> manager, PortalUser user) => Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PortalUser> manager, PortalUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key) || Totp.FromBase32(key) is not { } keyBytes)
        {
            return false;
        }

        return Totp.MatchStep(keyBytes, token, time.GetUtcNow(), Window) is { } step && await TryUseAsync(user.Id, step);
    }

    /// <summary>Records <paramref name="step"/> as the person's last used step, when it is later than the one recorded; false when it is not.</summary>
    internal async Task<bool> TryUseAsync(Guid userId, long step)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var uses = db.AuthenticatorCodeUses;
        if (await uses.Where(u => u.UserId == userId && u.LastStep < step).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastStep, step)) == 1)
        {
            return true;
        }

        if (await uses.AnyAsync(u => u.UserId == userId))
        {
            return false;
        }

        uses.Add(new AuthenticatorCodeUse { UserId = userId, LastStep = step });
        try
        {
            await db.SaveChangesAsync();
            return true;
        }
        catch (DbUpdateException)
        {
            // Another request used a code for this person first and holds the row: refuse, never accept twice.
            return false;
        }
    }
}
