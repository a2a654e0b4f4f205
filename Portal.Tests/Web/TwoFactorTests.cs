using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Organizations;
using Portal.Core.TwoFactor;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>
/// Authenticator codes over real HTTP with the app's fake clock: a code is accepted once, and turning
/// 2FA off and on with a new authenticator forgets every remembered browser; 2FA changes ask for the password.
/// </summary>
public abstract partial class TwoFactorTests(PortalApp app)
{
    [Fact]
    public async Task SignIn_CodeReplayedWithinItsStep_IsRefused_NextStepsCodeAccepted()
    {
        var me = await app.NewUserAsync();
        var key = await EnableTwoFactorAsync(me);
        using var first = new PortalBrowser(app);
        using var replay = new PortalBrowser(app);
        Assert.StartsWith("/account/login-2fa", await first.SignInAsync(me.User.Email!), StringComparison.Ordinal);
        Assert.StartsWith("/account/login-2fa", await replay.SignInAsync(me.User.Email!), StringComparison.Ordinal);
        var step = Totp.StepAt(app.Clock.GetUtcNow());

        Assert.Equal(HttpStatusCode.Redirect, (await first.SignInCodeAsync(Totp.Code(key, step))).StatusCode);
        var replayed = await replay.SignInCodeAsync(Totp.Code(key, step));
        var earlier = await replay.SignInCodeAsync(Totp.Code(key, step - 1));

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains("That code is not right.", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("That code is not right.", await earlier.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await replay.IsSignedInAsync());

        app.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var next = await replay.SignInCodeAsync(Totp.Code(key, step + 1));

        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.True(await replay.IsSignedInAsync());
    }

    [Fact]
    public async Task TwoFactorOffAndOnWithNewAuthenticator_ForgetsEveryRememberedBrowser()
    {
        var me = await app.NewUserAsync();
        var key = await EnableTwoFactorAsync(me);
        using var here = new PortalBrowser(app);
        using var there = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        Assert.Equal(HttpStatusCode.Redirect, (await here.SignInCodeAsync(NextCode(key), rememberBrowser: true)).StatusCode);
        await there.SignInAsync(me.User.Email!);
        Assert.Equal(HttpStatusCode.Redirect, (await there.SignInCodeAsync(NextCode(key), rememberBrowser: true)).StatusCode);
        // Remembered: signing in again needs the password alone.
        await there.SignOutAsync();
        Assert.Equal("/", await there.SignInAsync(me.User.Email!));

        var off = await here.PostFormAsync("/account/manage/two-factor", "two-factor-change", new() { ["Change.Password"] = TestTenants.Password, ["Change.Action"] = "disable" });
        Assert.Contains("Two-factor authentication is off.", await off.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await there.IsSignedInAsync());
        var setup = await here.Client.GetStringAsync("/account/manage/two-factor");
        var newKey = Totp.FromBase32(AuthenticatorKey().Match(setup).Groups[1].Value)!;
        Assert.NotEqual(key, newKey);
        var on = await here.PostFormAsync("/account/manage/two-factor", "enable-2fa", new() { ["Input.Code"] = NextCode(newKey), ["Input.Password"] = TestTenants.Password });
        Assert.Contains("Two-factor authentication is on.", await on.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await here.IsSignedInAsync());

        await here.SignOutAsync();
        Assert.StartsWith("/account/login-2fa", await here.SignInAsync(me.User.Email!), StringComparison.Ordinal);
        Assert.StartsWith("/account/login-2fa", await there.SignInAsync(me.User.Email!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("reset")]
    [InlineData("recovery-codes")]
    public async Task TwoFactorChange_WrongPassword_ChangesNothing(string action)
    {
        var me = await app.NewUserAsync();
        var key = await EnableTwoFactorAsync(me);
        using var here = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        await here.SignInCodeAsync(NextCode(key));

        var response = await here.PostFormAsync("/account/manage/two-factor", "two-factor-change", new() { ["Change.Password"] = "not-the-password-at-all", ["Change.Action"] = action });

        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("That password is not right. Nothing was changed.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Recovery codes\"", page, StringComparison.Ordinal);
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(me.User.Id.ToString()))!;
        Assert.True(await users.GetTwoFactorEnabledAsync(user));
        Assert.Equal(key, Totp.FromBase32((await users.GetAuthenticatorKeyAsync(user))!));
        Assert.Equal(10, await users.CountRecoveryCodesAsync(user));
    }

    [Fact]
    public async Task EnableTwoFactor_WrongPassword_ChangesNothing()
    {
        var me = await app.NewUserAsync();
        using var here = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        var setup = await here.Client.GetStringAsync("/account/manage/two-factor");
        var key = Totp.FromBase32(AuthenticatorKey().Match(setup).Groups[1].Value)!;

        // A stolen cookie alone must not bind the thief's authenticator to the account.
        var response = await here.PostFormAsync("/account/manage/two-factor", "enable-2fa", new() { ["Input.Code"] = NextCode(key), ["Input.Password"] = "not-the-password-at-all" });

        Assert.Contains("That password is not right. Nothing was changed.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        Assert.False(await users.GetTwoFactorEnabledAsync((await users.FindByIdAsync(me.User.Id.ToString()))!));
    }

    [Fact]
    public async Task ResetAuthenticator_WithPassword_OldKeyStopsWorking()
    {
        var me = await app.NewUserAsync();
        var key = await EnableTwoFactorAsync(me);
        using var here = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        await here.SignInCodeAsync(NextCode(key));

        var response = await here.PostFormAsync("/account/manage/two-factor", "two-factor-change", new() { ["Change.Password"] = TestTenants.Password, ["Change.Action"] = "reset" });

        Assert.Contains("Your old authenticator no longer works.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await here.IsSignedInAsync());
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(me.User.Id.ToString()))!;
        Assert.False(await users.GetTwoFactorEnabledAsync(user));
        Assert.NotEqual(key, Totp.FromBase32((await users.GetAuthenticatorKeyAsync(user))!));
    }

    /// <summary>A code of a step later than any used so far: the clock moves one step on first.</summary>
    private string NextCode(byte[] key)
    {
        app.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        return Totp.Code(key, Totp.StepAt(app.Clock.GetUtcNow()));
    }

    private async Task<byte[]> EnableTwoFactorAsync(TestUser me)
    {
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(me.User.Id.ToString()))!;
        await users.ResetAuthenticatorKeyAsync(user);
        await users.SetTwoFactorEnabledAsync(user, true);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10);
        return Totp.FromBase32((await users.GetAuthenticatorKeyAsync(user))!)!;
    }

    [GeneratedRegex("aria-label=\"Authenticator key\"[^>]*>([^<]+)<")]
    private static partial Regex AuthenticatorKey();
}

public sealed class SqliteTwoFactorTests(SqliteApp app) : TwoFactorTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlTwoFactorTests(PostgreSqlApp app) : TwoFactorTests(app), IClassFixture<PostgreSqlApp>;
