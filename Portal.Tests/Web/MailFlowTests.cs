using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Account;
using Portal.Core;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>
/// Mail on, over real HTTP and a real SMTP server on loopback (<see cref="MailApp"/>): invitation
/// links reach the invited address, registration confirms the address before the account signs in,
/// and an invitation is accepted only by an account whose address was confirmed.
/// </summary>
public abstract class MailFlowTests(MailApp app)
{
    [Fact]
    public async Task Invite_MailOn_LinkDeliveredToTheInvitedAddressOpensTheInvitation()
    {
        var organization = await app.NewOrganizationAsync();
        var invited = $"invited-{Guid.NewGuid():N}@example.com";

        var issued = await InviteAsync(organization, invited);

        var mail = await app.Smtp.WaitForMailAsync(invited);
        Assert.Equal("keys@portal.test", mail.From.Mailboxes.Single().Address);
        Assert.Equal(invited, mail.To.Mailboxes.Single().Address);
        var link = SmtpSink.LinkIn(mail, "http://localhost/invitations/");
        Assert.Equal(InvitationLinks.PathFor(issued.Token), link.AbsolutePath);
        Assert.Contains("as developer", mail.TextBody, StringComparison.Ordinal);

        // The invited person, signed in with a confirmed account of that address, opens it.
        var person = await app.NewUserAsync(invited);
        var client = await app.SignInAsync(person);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync(link.PathAndQuery));
        Assert.Contains("Join ", page, StringComparison.Ordinal);
        Assert.Contains($"invitation for {invited}", page, StringComparison.Ordinal);
        Assert.Contains("Accept invitation", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invite_MailOn_TokenAndLinkNeverLogged()
    {
        var organization = await app.NewOrganizationAsync();
        var invited = $"logged-{Guid.NewGuid():N}@example.com";

        var issued = await InviteAsync(organization, invited);
        await app.Smtp.WaitForMailAsync(invited);

        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(issued.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_MailOn_SendsConfirmationAndSignsInOnlyOnceConfirmed()
    {
        await OpenRegistrationAsync();
        var email = $"new-{Guid.NewGuid():N}@example.com";
        var client = NoRedirects();

        var registered = await RegisterAsync(client, email);

        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        Assert.Contains($"We sent a confirmation link to {email}", WebUtility.HtmlDecode(await registered.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain(registered.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith(".AspNetCore.Identity.Application", StringComparison.Ordinal)));
        var mail = await app.Smtp.WaitForMailAsync(email);
        var link = SmtpSink.LinkIn(mail, "http://localhost/account/confirm-email?");

        var refused = await LoginAsync(NoRedirects(), email, TestTenants.Password);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("email address is not confirmed yet", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var confirmed = await NoRedirects().GetStringAsync(link.PathAndQuery);
        Assert.Contains("data-testid=\"email-confirmed\"", confirmed, StringComparison.Ordinal);

        var signedIn = await LoginAsync(NoRedirects(), email, TestTenants.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        // A forged code for the now confirmed account is still refused: the page tells nothing about it.
        var userId = System.Web.HttpUtility.ParseQueryString(link.Query)["userId"];
        Assert.Contains("data-testid=\"email-not-confirmed\"", await NoRedirects().GetStringAsync($"/account/confirm-email?userId={userId}&code=AAAA"), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(link.Query.TrimStart('?'), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_UnconfirmedWithWrongPassword_SameAnswerAsUnknownAddress()
    {
        await OpenRegistrationAsync();
        var email = $"unconfirmed-{Guid.NewGuid():N}@example.com";
        await RegisterAsync(NoRedirects(), email);
        await app.Smtp.WaitForMailAsync(email);

        var wrong = await ErrorsOf(await LoginAsync(NoRedirects(), email, "not-the-password-at-all"));
        var unknown = await ErrorsOf(await LoginAsync(NoRedirects(), $"nobody-{Guid.NewGuid():N}@example.com", "not-the-password-at-all"));

        Assert.Equal(unknown, wrong);
        Assert.Contains("The email or password is not right.", wrong, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfirmEmail_ForgedOrTamperedCode_ConfirmsNothing()
    {
        await OpenRegistrationAsync();
        var email = $"forged-{Guid.NewGuid():N}@example.com";
        await RegisterAsync(NoRedirects(), email);
        var link = SmtpSink.LinkIn(await app.Smtp.WaitForMailAsync(email), "http://localhost/account/confirm-email?");
        var userId = System.Web.HttpUtility.ParseQueryString(link.Query)["userId"];

        foreach (var url in new[]
                 {
                     $"/account/confirm-email?userId={userId}&code=AAAA",
                     $"/account/confirm-email?userId={Guid.NewGuid()}&code={System.Web.HttpUtility.ParseQueryString(link.Query)["code"]}",
                     $"/account/confirm-email?userId={userId}",
                 })
        {
            var page = await NoRedirects().GetStringAsync(url);
            Assert.Contains("data-testid=\"email-not-confirmed\"", page, StringComparison.Ordinal);
        }

        Assert.False(await EmailConfirmedAsync(email));
    }

    [Fact]
    public async Task Resend_UnknownAndWaitingAddress_SameAnswer_OnlyTheWaitingOneGetsAWorkingLink()
    {
        await OpenRegistrationAsync();
        var email = $"resend-{Guid.NewGuid():N}@example.com";
        await RegisterAsync(NoRedirects(), email);
        await app.Smtp.WaitForMailAsync(email);
        var unknown = $"unknown-{Guid.NewGuid():N}@example.com";

        var forWaiting = await ResendAsync(email);
        var forUnknown = await ResendAsync(unknown);

        Assert.Equal(Answer(forUnknown), Answer(forWaiting));
        var second = await app.Smtp.WaitForMailAsync(email, count: 2);
        var page = await NoRedirects().GetStringAsync(SmtpSink.LinkIn(second, "http://localhost/account/confirm-email?").PathAndQuery);
        Assert.Contains("data-testid=\"email-confirmed\"", page, StringComparison.Ordinal);
        Assert.Empty(app.Smtp.MessagesTo(unknown));
    }

    [Fact]
    public async Task Accept_StrangerRegisteredTheInvitedAddressWithoutConfirming_CannotJoin()
    {
        var organization = await app.NewOrganizationAsync();
        var invited = $"victim-{Guid.NewGuid():N}@example.com";
        var issued = await InviteAsync(organization, invited);

        // The stranger holds the leaked link and registers the invited address through it.
        var stranger = NoRedirects();
        var url = $"/account/register?invitation={Uri.EscapeDataString(issued.Token)}";
        var registered = await RegisterAsync(stranger, invited, url);
        Assert.Contains("We sent a confirmation link", WebUtility.HtmlDecode(await registered.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        // No session: the invitation page sends them to sign in, and signing in is refused.
        var invitation = await stranger.GetAsync(InvitationLinks.PathFor(issued.Token));
        Assert.Equal(HttpStatusCode.Redirect, invitation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(NoRedirects(), invited, TestTenants.Password)).StatusCode);

        // And the service refuses the account even with a session begun some other way.
        await using var scope = app.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == invited.ToUpperInvariant());
        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() =>
            scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().AcceptAsync(new Caller(user.Id, invited, Channels.Portal), issued.Token));
        Assert.Equal(OrganizationDirectory.UnconfirmedEmailMessage, denied.Message);
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Memberships.AnyAsync(m => m.UserId == user.Id && m.OrganizationId == organization.Id));
    }

    [Fact]
    public async Task Accept_ConfirmedAccountOfTheInvitedAddress_Joins()
    {
        var organization = await app.NewOrganizationAsync();
        var invited = $"owner-of-address-{Guid.NewGuid():N}@example.com";
        var issued = await InviteAsync(organization, invited);
        var client = NoRedirects();
        await RegisterAsync(client, invited, $"/account/register?invitation={Uri.EscapeDataString(issued.Token)}");
        var confirmation = await app.Smtp.WaitForMailAsync(invited, subject: "Confirm your email address");
        await client.GetStringAsync(SmtpSink.LinkIn(confirmation, "http://localhost/account/confirm-email?").PathAndQuery);

        await using var scope = app.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == invited.ToUpperInvariant());
        var joined = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().AcceptAsync(new Caller(user.Id, invited, Channels.Portal), issued.Token);

        Assert.Equal(organization.Id, joined.Id);
        Assert.Equal(OrganizationRole.Developer, joined.Role);
    }

    private async Task<IssuedInvitation> InviteAsync(TestOrganization organization, string email)
    {
        await using var scope = app.Scope();
        var mail = scope.ServiceProvider.GetRequiredService<InvitationMail>();
        var issued = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>().InviteAsync(
            organization.Owner.Caller(), organization.Id, email, OrganizationRole.Developer,
            (invitation, cancel) => mail.SendAsync(invitation, "Acme", organization.Owner.User.Email!, cancel));
        return issued!;
    }

    private HttpClient NoRedirects() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private async Task OpenRegistrationAsync()
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<PlatformRegistration>()
            .SetAsOperatorAsync(new Caller(Guid.Empty, "cli:test", Channels.CommandLine), RegistrationMode.Open);
    }

    private static async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string email, string url = "/account/register")
    {
        var form = await client.GetStringAsync(url);
        return await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalPagesTests.Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "register",
            ["Input.Email"] = email,
            ["Input.Password"] = TestTenants.Password,
            ["Input.ConfirmPassword"] = TestTenants.Password,
        }));
    }

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/account/login");
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalPagesTests.Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "login",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    private async Task<string> ResendAsync(string email)
    {
        var client = NoRedirects();
        var form = await client.GetStringAsync(AccountMail.ResendPath);
        var response = await client.PostAsync(AccountMail.ResendPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalPagesTests.Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "resend-confirmation",
            ["Input.Email"] = email,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    // The page's answer without the parts that differ per request (antiforgery values).
    private static string Answer(string page)
    {
        var start = page.IndexOf("data-testid=\"confirmation-requested\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "No answer on the page.");
        return page[start..page.IndexOf("Sign in</", start, StringComparison.Ordinal)];
    }

    private static async Task<string> ErrorsOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        var start = page.IndexOf("<h4", StringComparison.Ordinal);
        return page[start..page.IndexOf("<form", start, StringComparison.Ordinal)];
    }

    private async Task<bool> EmailConfirmedAsync(string email)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.AnyAsync(u => u.NormalizedEmail == email.ToUpperInvariant() && u.EmailConfirmed);
    }
}

public sealed class SqliteMailFlowTests(SqliteMailApp app) : MailFlowTests(app), IClassFixture<SqliteMailApp>;

public sealed class PostgreSqlMailFlowTests(PostgreSqlMailApp app) : MailFlowTests(app), IClassFixture<PostgreSqlMailApp>;
