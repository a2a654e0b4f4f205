using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>The sign-up page over real HTTP while registration is by invitation only (the setting is the app's: each test sets it).</summary>
public sealed class RegisterPageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Get_InvitationOnlyWithoutInvitation_SaysSoWithoutForm()
    {
        await InvitationOnlyAsync();
        var client = app.CreateClient();

        var page = await client.GetStringAsync("/account/register");

        Assert.Contains("Registration is by invitation only.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Create account</", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"password\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_InvitationForThatEmail_CreatesAccountAndOpensTheInvitation()
    {
        await InvitationOnlyAsync();
        var email = $"invited-{Guid.NewGuid():N}@example.com";
        var token = await InviteAsync(email);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var url = $"/account/register?invitation={token}";

        var form = await client.GetStringAsync(url);
        Assert.Contains($"value=\"{email}\"", form, StringComparison.Ordinal);
        var response = await PostAsync(client, url, form, email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/invitations/{token}", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        Assert.True(await UserExistsAsync(email));
    }

    [Fact]
    public async Task Post_OtherEmailWithTheInvitation_ShowsMessageAndCreatesNobody()
    {
        await InvitationOnlyAsync();
        var invited = $"invited-{Guid.NewGuid():N}@example.com";
        var other = $"other-{Guid.NewGuid():N}@example.com";
        var token = await InviteAsync(invited);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var url = $"/account/register?invitation={token}";

        var response = await PostAsync(client, url, await client.GetStringAsync(url), other);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"This invitation is for {invited}.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await UserExistsAsync(other));
    }

    [Theory]
    [InlineData("o'brien+tag-{0}@example.com", "o'brien+tag-{0}@example.com")]
    [InlineData("jörg-{0}@XN--BCHER-KVA.example", "jörg-{0}@bücher.example")]
    public async Task Post_InvitedAddressWithApostropheOrInternationalDomain_CreatesAccountThatJoins(string invitedPattern, string registeredPattern)
    {
        await InvitationOnlyAsync();
        var unique = Guid.NewGuid().ToString("N")[..8];
        var invited = string.Format(System.Globalization.CultureInfo.InvariantCulture, invitedPattern, unique);
        var registered = string.Format(System.Globalization.CultureInfo.InvariantCulture, registeredPattern, unique);
        var token = await InviteAsync(invited);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var url = $"/account/register?invitation={token}";

        var response = await PostAsync(client, url, await client.GetStringAsync(url), registered);

        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        await using var scope = app.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>().FindByEmailAsync(invited);
        Assert.Equal(registered, user?.Email);
        var joined = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
            .AcceptAsync(new Caller(user!.Id, user.Email!, Channels.Portal), token);
        Assert.Equal(OrganizationRole.Developer, joined.Role);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string form, string email) =>
        client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalPagesTests.Antiforgery().Match(form).Groups[1].Value,
            ["_handler"] = "register",
            ["Input.Email"] = email,
            ["Input.Password"] = TestTenants.Password,
            ["Input.ConfirmPassword"] = TestTenants.Password,
        }));

    private async Task InvitationOnlyAsync()
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<PlatformRegistration>()
            .SetAsOperatorAsync(new Caller(Guid.Empty, "cli:test", Channels.CommandLine), RegistrationMode.InvitationOnly);
    }

    private async Task<string> InviteAsync(string email)
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var issued = await scope.ServiceProvider.GetRequiredService<OrganizationDirectory>()
            .InviteAsync(organization.Owner.Caller(), organization.Id, email, OrganizationRole.Developer);
        return issued!.Token;
    }

    private async Task<bool> UserExistsAsync(string email)
    {
        await using var scope = app.Scope();
        var normalized = email.ToUpperInvariant();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.AnyAsync(u => u.NormalizedEmail == normalized);
    }
}
