using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Organizations;

/// <summary>
/// First start: while no platform administrator exists, one random link lets a person create
/// one. The link works once and expires; there is never a default password. Never logs a token
/// (the caller decides where the one-time link goes).
/// </summary>
public sealed class PlatformSetup(PortalDbContext db, UserManager<PortalUser> users, UserAccounts accounts, TimeProvider time)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    /// <summary>Whether a platform administrator exists (setup is then over for good).</summary>
    public async Task<bool> IsCompleteAsync(CancellationToken cancellationToken = default) =>
        (await users.GetUsersInRoleAsync(PlatformRoles.Administrator)).Count > 0;

    /// <summary>
    /// A fresh setup token when setup is not complete, else null. Earlier unused tokens stop
    /// working, so only the link of the latest start is valid.
    /// </summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)?> IssueAsync(CancellationToken cancellationToken = default)
    {
        if (await IsCompleteAsync(cancellationToken))
        {
            return null;
        }

        var now = time.GetUtcNow();
        await db.Set<SetupToken>().Where(t => t.UsedAt == null).ExecuteDeleteAsync(cancellationToken);
        var token = OneTimeTokens.Generate();
        var row = new SetupToken { TokenHash = OneTimeTokens.Hash(token), CreatedAt = now, ExpiresAt = now + LinkLifetime };
        db.Set<SetupToken>().Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return (token, row.ExpiresAt);
    }

    /// <summary>Whether the token opens the setup page now: issued, unused, unexpired, and no administrator yet.</summary>
    public async Task<bool> IsValidAsync(string? token, CancellationToken cancellationToken = default) =>
        await FindUsableAsync(token, cancellationToken) is not null && !await IsCompleteAsync(cancellationToken);

    /// <summary>
    /// Creates the platform administrator and uses the token up. Throws <see cref="InvalidRequestException"/>
    /// for a bad email or password (the token stays usable) and returns null when the token is not usable.
    /// </summary>
    public async Task<PortalUser?> CompleteAsync(string? token, string email, string password, CancellationToken cancellationToken = default)
    {
        var row = await FindUsableAsync(token, cancellationToken);
        if (row is null || await IsCompleteAsync(cancellationToken))
        {
            return null;
        }

        // Check the password first, so a weak one does not burn the token.
        var probe = new PortalUser { UserName = email, Email = email };
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, probe, password);
            if (!result.Succeeded)
            {
                throw new InvalidRequestException("password", string.Join(" ", result.Errors.Select(e => e.Description)));
            }
        }

        // Claim the token with a conditional update: of two simultaneous submissions only one wins.
        var now = time.GetUtcNow();
        var claimed = await db.Set<SetupToken>()
            .Where(t => t.Id == row.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        try
        {
            return await accounts.CreateAsync(email, password, actor: null, platformAdministrator: true, cancellationToken);
        }
        catch
        {
            // Nothing was created: give the token back so the person can correct the form.
            await db.Set<SetupToken>().Where(t => t.Id == row.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, (DateTimeOffset?)null), CancellationToken.None);
            throw;
        }
    }

    private async Task<SetupToken?> FindUsableAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = OneTimeTokens.Hash(token);
        var row = await db.Set<SetupToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        return row is { UsedAt: null } && row.ExpiresAt > time.GetUtcNow() ? row : null;
    }
}
