using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Account;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.TwoFactor;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Account;

/// <summary>
/// Second-factor secrets at rest, on a real database: what a copy of the database shows after
/// 2FA is turned on through the page, and how values stored in clear by an earlier version behave.
/// </summary>
public abstract partial class TwoFactorSecretsAtRestTests(PortalApp app)
{
    private const string Authenticator = "Authenticator";

    [Fact]
    public async Task EnableThroughThePage_DatabaseHoldsNeitherKeyNorCodes_AndBothStillWork()
    {
        var user = await app.NewUserAsync();
        var client = await app.SignInAsync(user);

        var setup = await client.GetStringAsync("/account/manage/two-factor");
        var key = AuthenticatorKey().Match(setup).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        Assert.Equal(32, key.Length);
        var now = AlignClock();
        var enabled = await client.PostAsync("/account/manage/two-factor", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Antiforgery().Match(setup).Groups[1].Value,
            ["_handler"] = "enable-2fa",
            ["Input.Code"] = CodeAt(key, now),
            ["Input.Password"] = TestTenants.Password,
        }));
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var codes = RecoveryCode().Matches(await enabled.Content.ReadAsStringAsync()).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(10, codes.Length);

        // The scan reads what it should: the email is stored in clear and is found.
        Assert.NotEmpty(await DatabaseScan.FindAsync(app, user.User.Email!));
        Assert.Empty(await DatabaseScan.FindAsync(app, [key, .. codes]));

        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var person = await users.FindByIdAsync(user.User.Id.ToString());
        Assert.True(await users.GetTwoFactorEnabledAsync(person!));
        Assert.Equal(key, await users.GetAuthenticatorKeyAsync(person!));
        // The next step's code: the one typed to turn 2FA on may count as used.
        Assert.True(await users.VerifyTwoFactorTokenAsync(person!, Authenticator, CodeAt(key, now.AddSeconds(30))));
        Assert.False(await users.VerifyTwoFactorTokenAsync(person!, Authenticator, WrongCode(key, now)));
        await AssertEachRedeemsOnceAsync(users, person!, codes[3], codes.Length);
    }

    [Fact]
    public async Task LegacyClearValues_StillWork_AndAreHashedOnRedemption()
    {
        var (user, key, codes) = await LegacyTwoFactorAsync();

        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var person = (await users.FindByIdAsync(user.Id.ToString()))!;
        Assert.Equal(key, await users.GetAuthenticatorKeyAsync(person));
        Assert.True(await users.VerifyTwoFactorTokenAsync(person, Authenticator, CodeAt(key, AlignClock())));
        await AssertEachRedeemsOnceAsync(users, person, codes[1], codes.Length);

        // Redeeming rewrote the set hashed: the codes not used yet are no longer in clear either.
        var stored = await StoredAsync(user.Id, PortalUserStore.RecoveryCodesName);
        Assert.StartsWith(RecoveryCodeHashes.Prefix, stored, StringComparison.Ordinal);
        Assert.All(codes, code => Assert.DoesNotContain(code, stored, StringComparison.OrdinalIgnoreCase));
        Assert.True((await users.RedeemTwoFactorRecoveryCodeAsync(person, codes[0])).Succeeded);
    }

    [Fact]
    public async Task LegacyClearValues_AreSealedWhenTheAppStarts()
    {
        var (user, key, codes) = await LegacyTwoFactorAsync();
        Assert.NotEmpty(await DatabaseScan.FindAsync(app, key));

        // A second host on the same database and data folder starts as an upgraded server would.
        using var restarted = app.WithWebHostBuilder(_ => { });
        await using var scope = restarted.Services.CreateAsyncScope();

        Assert.StartsWith(AuthenticatorKeySeal.Prefix, await StoredAsync(user.Id, PortalUserStore.AuthenticatorKeyName), StringComparison.Ordinal);
        Assert.StartsWith(RecoveryCodeHashes.Prefix, await StoredAsync(user.Id, PortalUserStore.RecoveryCodesName), StringComparison.Ordinal);
        Assert.Empty(await DatabaseScan.FindAsync(app, [key, .. codes]));
        Assert.Contains(app.Logs.Lines, line => line.Contains("that an earlier version stored in clear", StringComparison.Ordinal));

        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var person = (await users.FindByIdAsync(user.Id.ToString()))!;
        Assert.Equal(key, await users.GetAuthenticatorKeyAsync(person));
        Assert.True(await users.VerifyTwoFactorTokenAsync(person, Authenticator, CodeAt(key, AlignClock())));
        await AssertEachRedeemsOnceAsync(users, person, codes[2], codes.Length);
    }

    [Fact]
    public async Task SealedKey_CopiedOntoAnotherAccount_DoesNotOpen()
    {
        var (owner, key, _) = await LegacyTwoFactorAsync();
        var other = await app.NewUserAsync();
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var person = (await users.FindByIdAsync(owner.Id.ToString()))!;
        await users.ResetAuthenticatorKeyAsync(person);
        var sealedKey = await StoredAsync(owner.Id, PortalUserStore.AuthenticatorKeyName);
        Assert.StartsWith(AuthenticatorKeySeal.Prefix, sealedKey, StringComparison.Ordinal);
        Assert.NotEqual(key, await users.GetAuthenticatorKeyAsync(person));

        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.UserTokens.Add(new IdentityUserToken<Guid>
        {
            UserId = other.User.Id, LoginProvider = PortalUserStore.LoginProvider, Name = PortalUserStore.AuthenticatorKeyName, Value = sealedKey,
        });
        await db.SaveChangesAsync();

        Assert.Null(await users.GetAuthenticatorKeyAsync((await users.FindByIdAsync(other.User.Id.ToString()))!));
    }

    private static async Task AssertEachRedeemsOnceAsync(UserManager<PortalUser> users, PortalUser person, string code, int count)
    {
        Assert.Equal(count, await users.CountRecoveryCodesAsync(person));
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(person, "BCDFG-HJKMN")).Succeeded);
        Assert.True((await users.RedeemTwoFactorRecoveryCodeAsync(person, code)).Succeeded);
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(person, code)).Succeeded);
        Assert.Equal(count - 1, await users.CountRecoveryCodesAsync(person));
    }

    /// <summary>A user with 2FA on whose key and codes sit in clear, as versions before the sealing store left them.</summary>
    private async Task<(PortalUser User, string Key, string[] Codes)> LegacyTwoFactorAsync()
    {
        var user = (await app.NewUserAsync()).User;
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var key = users.GenerateNewAuthenticatorKey();
        string[] codes = [.. Enumerable.Range(0, 5).Select(_ => LegacyCode())];
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.UserTokens.AddRange(
            new IdentityUserToken<Guid> { UserId = user.Id, LoginProvider = PortalUserStore.LoginProvider, Name = PortalUserStore.AuthenticatorKeyName, Value = key },
            new IdentityUserToken<Guid> { UserId = user.Id, LoginProvider = PortalUserStore.LoginProvider, Name = PortalUserStore.RecoveryCodesName, Value = string.Join(';', codes) });
        await db.SaveChangesAsync();
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorEnabled, true));
        return (user, key, codes);
    }

    private static string LegacyCode()
    {
        const string Alphabet = "23456789BCDFGHJKMNPQRTVWXY";
        var chars = System.Security.Cryptography.RandomNumberGenerator.GetString(Alphabet, 10);
        return $"{chars[..5]}-{chars[5..]}";
    }

    private async Task<string> StoredAsync(Guid userId, string name)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return (await db.UserTokens.AsNoTracking().SingleAsync(t => t.UserId == userId && t.LoginProvider == PortalUserStore.LoginProvider && t.Name == name)).Value!;
    }

    /// <summary>Puts the app's clock on real time, so the codes computed here are the ones the app expects whichever clock it reads.</summary>
    private DateTimeOffset AlignClock()
    {
        var now = DateTimeOffset.UtcNow;
        if (now > app.Clock.GetUtcNow())
        {
            app.Clock.SetUtcNow(now);
        }

        return now;
    }

    private static string WrongCode(string key, DateTimeOffset now)
    {
        // A code valid at no step in Identity's window (two steps either side).
        var valid = Enumerable.Range(-2, 5).Select(i => CodeAt(key, now.AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 10).Select(i => $"{i}{i}{i}{i}{i}{i}").First(code => !valid.Contains(code));
    }

    [GeneratedRegex("aria-label=\"Authenticator key\"[^>]*>([^<]+)<")]
    private static partial Regex AuthenticatorKey();

    [GeneratedRegex("<div>([23456789BCDFGHJKMNPQRTVWXY]{5}-[23456789BCDFGHJKMNPQRTVWXY]{5})</div>")]
    private static partial Regex RecoveryCode();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    // What an authenticator app shows at that moment for a base32 key.
    private static string CodeAt(string base32Key, DateTimeOffset at) => Totp.Code(Totp.FromBase32(base32Key)!, Totp.StepAt(at));
}

public sealed class SqliteTwoFactorSecretsAtRestTests(SqliteApp app) : TwoFactorSecretsAtRestTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlTwoFactorSecretsAtRestTests(PostgreSqlApp app) : TwoFactorSecretsAtRestTests(app), IClassFixture<PostgreSqlApp>;
