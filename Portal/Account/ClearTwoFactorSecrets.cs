using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Account;

/// <summary>
/// Seals, at start, the authenticator keys and recovery codes that a version before
/// <see cref="PortalUserStore"/> stored in clear.
/// </summary>
/// <remarks>
/// At start rather than on each person's next use: a dormant account would otherwise keep its
/// second factor readable in every later copy of the database, for as long as its owner stays away.
/// The pass reads only rows still in clear (one per 2FA user at most, none after the first start),
/// and each update applies only if the row still holds the clear value it read, so a node starting
/// while a person changes their key elsewhere never writes the old key back. The store still reads
/// clear values, for the moments before this runs.
/// </remarks>
public static partial class ClearTwoFactorSecrets
{
    /// <summary>Seals every clear second-factor secret; returns how many rows it changed.</summary>
    public static async Task<int> SealClearTwoFactorSecretsAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var protection = scope.ServiceProvider.GetService<IDataProtectionProvider>();
        var codes = scope.ServiceProvider.GetRequiredService<RecoveryCodeHashes>();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<PortalUserStore>>();

        var clear = await db.UserTokens.AsNoTracking()
            .Where(t => t.LoginProvider == PortalUserStore.LoginProvider && t.Value != null && t.Value != ""
                && ((t.Name == PortalUserStore.AuthenticatorKeyName && !t.Value.StartsWith(AuthenticatorKeySeal.Prefix))
                    || (t.Name == PortalUserStore.RecoveryCodesName && !t.Value.StartsWith(RecoveryCodeHashes.Prefix))))
            .ToListAsync(cancellationToken);

        var (keys, sets) = (0, 0);
        foreach (var row in clear)
        {
            var isKey = row.Name == PortalUserStore.AuthenticatorKeyName;
            if (isKey && protection is null)
            {
                continue;
            }

            var old = row.Value!;
            var sealedValue = isKey ? AuthenticatorKeySeal.Seal(protection!, row.UserId, old) : codes.HashClearSet(row.UserId, old);
            var changed = await db.UserTokens
                .Where(t => t.UserId == row.UserId && t.LoginProvider == row.LoginProvider && t.Name == row.Name && t.Value == old)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Value, sealedValue), cancellationToken);
            keys += isKey ? changed : 0;
            sets += isKey ? 0 : changed;
        }

        if (keys + sets > 0)
        {
            LogSealed(logger, keys, sets);
        }

        return keys + sets;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed {Keys} authenticator keys and {Sets} recovery code sets that an earlier version stored in clear.")]
    private static partial void LogSealed(ILogger logger, int keys, int sets);
}
