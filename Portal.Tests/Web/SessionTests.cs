using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Organizations;
using Portal.Core.Sessions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>
/// Sessions end when they should, over real HTTP with separate cookie jars: sign-out ends a copied
/// cookie, a password change ends the other browser but not this one, a role change or removal ends
/// the member's sessions, and the account page lists and ends sessions.
/// </summary>
public abstract partial class SessionTests(PortalApp app)
{
    [Fact]
    public async Task SignOut_CookieCopiedBefore_IsRefusedAfter()
    {
        var me = await app.NewUserAsync();
        using var browser = new PortalBrowser(app);
        await browser.SignInAsync(me.User.Email!);
        using var thief = browser.CopyTo(new PortalBrowser(app));
        Assert.True(await thief.IsSignedInAsync());

        await browser.SignOutAsync();

        Assert.False(await thief.IsSignedInAsync());
        Assert.False(await browser.IsSignedInAsync());
    }

    [Fact]
    public async Task ChangePassword_EndsOtherSessions_KeepsThisOne()
    {
        var me = await app.NewUserAsync();
        using var here = new PortalBrowser(app);
        using var elsewhere = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        await elsewhere.SignInAsync(me.User.Email!);
        using var copyFromBefore = here.CopyTo(new PortalBrowser(app));

        var response = await here.PostFormAsync("/account/manage", "change-password", new()
        {
            ["Input.CurrentPassword"] = TestTenants.Password,
            ["Input.NewPassword"] = "a-new-password-for-today",
            ["Input.ConfirmPassword"] = "a-new-password-for-today",
        });

        Assert.Contains("Your password was changed.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await here.IsSignedInAsync());
        Assert.False(await elsewhere.IsSignedInAsync());
        // This browser's cookie was issued again under the new stamp; a copy of the old one is worthless.
        Assert.False(await copyFromBefore.IsSignedInAsync());
        await using var scope = app.Scope();
        Assert.Single(await scope.ServiceProvider.GetRequiredService<UserSessions>().ListAsync(me.User.Id, current: null));
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentPasswords_LockTheAccount_AndChangeNothing()
    {
        var me = await app.NewUserAsync();
        using var here = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);

        // A borrowed session guessing the current password meets the sign-in lockout (5 failures).
        string page = "";
        for (var i = 0; i < 5; i++)
        {
            var response = await here.PostFormAsync("/account/manage", "change-password", new()
            {
                ["Input.CurrentPassword"] = $"wrong-guess-number-{i}",
                ["Input.NewPassword"] = "a-new-password-for-today",
                ["Input.ConfirmPassword"] = "a-new-password-for-today",
            });
            page = await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("Too many wrong passwords", page, StringComparison.Ordinal);
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
        var user = (await users.FindByIdAsync(me.User.Id.ToString()))!;
        Assert.True(await users.IsLockedOutAsync(user));
        Assert.True(await users.CheckPasswordAsync(user, TestTenants.Password));
    }

    [Fact]
    public async Task ChangeRole_EndsMembersSessions_WithinTheCheckBound()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        using var memberBrowser = new PortalBrowser(app);
        using var ownerBrowser = new PortalBrowser(app);
        await memberBrowser.SignInAsync(member.User.Email!);
        await ownerBrowser.SignInAsync(organization.Owner.User.Email!);
        Assert.True(await memberBrowser.IsSignedInAsync());

        await using (var scope = app.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
                .ChangeRoleAsync(organization.Owner.Caller(organization.Id), organization.Id, member.User.Id, OrganizationRole.Viewer));
        }

        app.Clock.Advance(TimeSpan.FromSeconds(new SessionCheckOptions().CheckCacheSeconds));
        Assert.False(await memberBrowser.IsSignedInAsync());
        Assert.True(await ownerBrowser.IsSignedInAsync());
        // Signing in again works, under the new role.
        await memberBrowser.SignInAsync(member.User.Email!);
        Assert.True(await memberBrowser.IsSignedInAsync());
    }

    [Fact]
    public async Task RemoveMember_EndsMembersSessions_WithinTheCheckBound()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        using var memberBrowser = new PortalBrowser(app);
        await memberBrowser.SignInAsync(member.User.Email!);

        await using (var scope = app.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
                .RemoveMemberAsync(organization.Owner.Caller(organization.Id), organization.Id, member.User.Id));
        }

        app.Clock.Advance(TimeSpan.FromSeconds(new SessionCheckOptions().CheckCacheSeconds));
        Assert.False(await memberBrowser.IsSignedInAsync());
    }

    [Fact]
    public async Task LeaveOrganization_KeepsOwnSessions()
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        using var memberBrowser = new PortalBrowser(app);
        await memberBrowser.SignInAsync(member.User.Email!);

        await using (var scope = app.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
                .RemoveMemberAsync(member.Caller(organization.Id), organization.Id, member.User.Id));
        }

        app.Clock.Advance(TimeSpan.FromSeconds(new SessionCheckOptions().CheckCacheSeconds));
        Assert.True(await memberBrowser.IsSignedInAsync());
    }

    [Fact]
    public async Task AccountPage_ListsSessions_EndsOneAndThenAllOthers()
    {
        var me = await app.NewUserAsync();
        using var here = new PortalBrowser(app);
        using var phone = new PortalBrowser(app);
        using var laptop = new PortalBrowser(app);
        here.Client.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        phone.Client.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36");
        await here.SignInAsync(me.User.Email!);
        await phone.SignInAsync(me.User.Email!);
        await laptop.SignInAsync(me.User.Email!);

        var page = await here.Client.GetStringAsync("/account/manage");
        Assert.Contains("Firefox on Linux", page, StringComparison.Ordinal);
        Assert.Contains("Chrome on Android", page, StringComparison.Ordinal);
        Assert.Contains("This browser", page, StringComparison.Ordinal);
        var others = OtherSessions().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, others.Count);

        var phoneId = await SessionIdOfAsync(me.User.Id, "Chrome on Android");
        var ended = await here.PostFormAsync("/account/manage", "end-session", new() { ["End.SessionId"] = phoneId.ToString() });
        Assert.Contains("That session was signed out.", await ended.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await phone.IsSignedInAsync());
        Assert.True(await laptop.IsSignedInAsync());

        var all = await here.PostFormAsync("/account/manage", "end-other-sessions", []);
        Assert.Contains("One other session was signed out.", await all.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await laptop.IsSignedInAsync());
        Assert.True(await here.IsSignedInAsync());
    }

    [Fact]
    public async Task SignOutEverywhereElse_EndsACopyOfThisBrowsersCookie_KeepsThisBrowser()
    {
        var me = await app.NewUserAsync();
        using var here = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        // The usual stolen cookie is a copy of this browser's own, in the same session.
        using var thief = here.CopyTo(new PortalBrowser(app));
        Assert.True(await thief.IsSignedInAsync());

        var all = await here.PostFormAsync("/account/manage", "end-other-sessions", []);

        Assert.Contains("0 other sessions were signed out.", await all.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await thief.IsSignedInAsync());
        Assert.True(await here.IsSignedInAsync());
        await using var scope = app.Scope();
        Assert.Single(await scope.ServiceProvider.GetRequiredService<UserSessions>().ListAsync(me.User.Id, current: null));
    }

    [Theory]
    [InlineData("not-a-session")]
    [InlineData("")]
    [InlineData("../../etc/passwd")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task EndSession_ForgedId_EndsNothing(string id)
    {
        var me = await app.NewUserAsync();
        using var here = new PortalBrowser(app);
        using var other = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        await other.SignInAsync(me.User.Email!);

        var response = await here.PostFormAsync("/account/manage", "end-session", new() { ["End.SessionId"] = id });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await other.IsSignedInAsync());
    }

    [Fact]
    public async Task EndSession_SomeoneElsesSession_EndsNothing()
    {
        var me = await app.NewUserAsync();
        var someoneElse = await app.NewUserAsync();
        using var here = new PortalBrowser(app);
        using var theirs = new PortalBrowser(app);
        await here.SignInAsync(me.User.Email!);
        await theirs.SignInAsync(someoneElse.User.Email!);
        var theirId = await SessionIdOfAsync(someoneElse.User.Id, null);

        await here.PostFormAsync("/account/manage", "end-session", new() { ["End.SessionId"] = theirId.ToString() });

        Assert.True(await theirs.IsSignedInAsync());
    }

    private async Task<Guid> SessionIdOfAsync(Guid userId, string? device)
    {
        await using var scope = app.Scope();
        var sessions = await scope.ServiceProvider.GetRequiredService<UserSessions>().ListAsync(userId, current: null);
        return sessions.First(s => device is null || s.Device == device).Id;
    }

    [GeneratedRegex("name=\"End.SessionId\" value=\"([0-9a-f-]{36})\"")]
    private static partial Regex OtherSessions();
}

public sealed class SqliteSessionTests(SqliteApp app) : SessionTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlSessionTests(PostgreSqlApp app) : SessionTests(app), IClassFixture<PostgreSqlApp>;
