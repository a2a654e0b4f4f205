using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Mail;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Organizations;

/// <summary>An invitation exists only once its link was delivered; without mail, acceptance is as it always was.</summary>
public sealed class InvitationDeliveryTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Invite_DeliveryFails_NoInvitationAndNoAuditEntry()
    {
        var organization = await app.NewOrganizationAsync();
        var email = $"undelivered-{Guid.NewGuid():N}@example.com";
        await using var scope = app.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<OrganizationDirectory>();

        await Assert.ThrowsAsync<MailDeliveryException>(() => directory.InviteAsync(organization.Owner.Caller(), organization.Id, email, OrganizationRole.Developer,
            (_, _) => throw new MailDeliveryException(SmtpMailSender.NotDeliveredMessage)));
        // The same context saves something else afterwards: the failed invitation must not ride along.
        await directory.CreateAsync(organization.Owner.Caller(), $"after {Guid.NewGuid():N}");

        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False(await db.Set<Invitation>().AnyAsync(i => i.NormalizedEmail == email.ToUpperInvariant()));
        Assert.Empty(await directory.PendingInvitationsAsync(organization.Owner.Caller(), organization.Id));
        Assert.False(await db.AuditRecords.AnyAsync(a => a.Action == OrganizationDirectory.InvitationCreatedAction && a.OrganizationId == organization.Id));
    }

    [Fact]
    public async Task Invite_Delivered_DeliveryGetsTheSavedToken()
    {
        var organization = await app.NewOrganizationAsync();
        string? delivered = null;
        await using var scope = app.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<OrganizationDirectory>();

        var issued = await directory.InviteAsync(organization.Owner.Caller(), organization.Id, $"delivered-{Guid.NewGuid():N}@example.com", OrganizationRole.Viewer,
            (invitation, _) => { delivered = invitation.Token; return Task.CompletedTask; });

        Assert.Equal(issued!.Token, delivered);
        Assert.True((await directory.PreviewInvitationAsync(delivered))!.IsPending);
    }

    [Fact]
    public async Task Accept_MailOffAndAddressNeverConfirmed_Joins()
    {
        var organization = await app.NewOrganizationAsync();
        var email = $"unconfirmed-{Guid.NewGuid():N}@example.com";
        await using var scope = app.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<OrganizationDirectory>();
        var issued = await directory.InviteAsync(organization.Owner.Caller(), organization.Id, email, OrganizationRole.Developer);
        var user = await scope.ServiceProvider.GetRequiredService<UserAccounts>().RegisterAsync(email, TestTenants.Password, issued!.Token);

        var joined = await directory.AcceptAsync(new Caller(user.Id, email, Channels.Portal), issued.Token);

        Assert.False(user.EmailConfirmed);
        Assert.Equal(organization.Id, joined.Id);
    }

    [Fact]
    public async Task Create_ByOperatorOrSetup_AddressCountsAsConfirmed_RegisterDoesNot()
    {
        await using var scope = app.Scope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        await scope.ServiceProvider.GetRequiredService<PlatformRegistration>()
            .SetAsOperatorAsync(new Caller(Guid.Empty, "cli:test", Channels.CommandLine), RegistrationMode.Open);

        var created = await accounts.CreateAsync($"operator-{Guid.NewGuid():N}@example.com", TestTenants.Password, actor: null, platformAdministrator: true);
        var registered = await accounts.RegisterAsync($"self-{Guid.NewGuid():N}@example.com", TestTenants.Password, invitationToken: null);

        Assert.True(created.EmailConfirmed);
        Assert.False(registered.EmailConfirmed);
    }
}
