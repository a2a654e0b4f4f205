using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Organizations;

namespace Portal.Account;

/// <summary>
/// Identity's Entity Framework user store, except that second-factor secrets never reach the
/// database in clear: the authenticator key is sealed with Data Protection
/// (<see cref="AuthenticatorKeySeal"/>) and recovery codes are kept only as keyed hashes
/// (<see cref="RecoveryCodeHashes"/>). Both still live in <c>AspNetUserTokens</c>, under the names
/// Identity uses. Values an earlier version stored in clear are still read (and
/// <see cref="ClearTwoFactorSecrets"/> seals them at start); every write stores the sealed form.
/// </summary>
public sealed partial class PortalUserStore : UserStore<PortalUser, IdentityRole<Guid>, PortalDbContext, Guid>
{
    /// <summary>Identity's names for the two rows in <c>AspNetUserTokens</c>.</summary>
    internal const string LoginProvider = "[AspNetUserStore]";
    internal const string AuthenticatorKeyName = "AuthenticatorKey";
    internal const string RecoveryCodesName = "RecoveryCodes";

    private readonly IDataProtectionProvider? _protection;
    private readonly RecoveryCodeHashes _codes;
    private readonly ILogger<PortalUserStore> _logger;

    /// <param name="protection">Seals authenticator keys; a host without Data Protection can read legacy clear keys but write none.</param>
    public PortalUserStore(PortalDbContext context, RecoveryCodeHashes codes, ILogger<PortalUserStore> logger,
        IDataProtectionProvider? protection = null, IdentityErrorDescriber? describer = null)
        : base(context, describer)
    {
        _codes = codes;
        _logger = logger;
        _protection = protection;
    }

    /// <summary>Stores the key sealed (<see cref="AuthenticatorKeySeal"/>); saved with the user's next update, as in Identity.</summary>
    /// <exception cref="InvalidOperationException">This host has no Data Protection.</exception>
    public override Task SetAuthenticatorKeyAsync(PortalUser user, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var protection = _protection ?? throw new InvalidOperationException("Authenticator keys are sealed with Data Protection, which this host does not have.");
        return SetTokenAsync(user, LoginProvider, AuthenticatorKeyName, AuthenticatorKeySeal.Seal(protection, user.Id, key), cancellationToken);
    }

    /// <summary>
    /// The clear key, or null when there is none or it cannot be opened (a lost key ring, a payload
    /// copied from another account): the person then cannot pass the authenticator step and signs in
    /// with a recovery code, which does not depend on Data Protection.
    /// </summary>
    public override async Task<string?> GetAuthenticatorKeyAsync(PortalUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var stored = await GetTokenAsync(user, LoginProvider, AuthenticatorKeyName, cancellationToken);
        if (string.IsNullOrEmpty(stored) || !AuthenticatorKeySeal.IsSealed(stored))
        {
            return stored;
        }

        if (_protection is null)
        {
            LogCannotOpen(_logger, user.Id);
            return null;
        }

        try
        {
            return AuthenticatorKeySeal.Open(_protection, user.Id, stored);
        }
        catch (CryptographicException)
        {
            LogCannotOpen(_logger, user.Id);
            return null;
        }
    }

    /// <summary>Replaces the user's recovery codes with the hashes of <paramref name="recoveryCodes"/>; the codes themselves are not kept.</summary>
    public override Task ReplaceCodesAsync(PortalUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(recoveryCodes);
        return SetTokenAsync(user, LoginProvider, RecoveryCodesName, _codes.Hash(user.Id, recoveryCodes), cancellationToken);
    }

    /// <summary>Redeems a code once: it is removed from the stored set, which is written back hashed.</summary>
    public override async Task<bool> RedeemCodeAsync(PortalUser user, string code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(code);
        var stored = await GetTokenAsync(user, LoginProvider, RecoveryCodesName, cancellationToken);
        var remaining = _codes.Redeem(user.Id, stored, code);
        if (remaining is null)
        {
            return false;
        }

        await SetTokenAsync(user, LoginProvider, RecoveryCodesName, remaining, cancellationToken);
        return true;
    }

    /// <summary>How many recovery codes the user has left (see <see cref="RecoveryCodeHashes.Count"/>).</summary>
    public override async Task<int> CountCodesAsync(PortalUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return _codes.Count(await GetTokenAsync(user, LoginProvider, RecoveryCodesName, cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The authenticator key of user {UserId} cannot be opened (is the Data Protection key ring intact?): the authenticator step fails for them; a recovery code still signs them in, and turning 2FA off and on gives a new key.")]
    private static partial void LogCannotOpen(ILogger logger, Guid userId);
}
