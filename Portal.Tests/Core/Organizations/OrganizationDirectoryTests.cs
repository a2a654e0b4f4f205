using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Organizations;

public abstract class OrganizationDirectoryTests(PortalApp app)
{
    [Fact]
    public async Task InviteThenAccept_AddsMemberWithRole_AndAudits()
    {
        var (owner, organization) = await NewOrganizationAsync();
        var developer = await app.NewUserAsync();

        var invitation = await Directory(async d => await d.InviteAsync(owner.Caller(), organization.Id, developer.User.Email!.ToUpperInvariant(), OrganizationRole.Developer));
        var joined = await Directory(d => d.AcceptAsync(developer.Caller(), invitation!.Token));

        Assert.Equal(OrganizationRole.Developer, joined.Role);
        var members = await Directory(d => d.MembersAsync(owner.Caller(), organization.Id));
        Assert.Contains(members, m => m.UserId == developer.User.Id && m.Role == OrganizationRole.Developer);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.True(await db.AuditRecords.AnyAsync(a => a.OrganizationId == organization.Id && a.Action == AuditActions.MemberAdded));
        Assert.Empty(await Directory(d => d.PendingInvitationsAsync(owner.Caller(), organization.Id)));
    }

    [Fact]
    public async Task Accept_TwiceOrByAnotherEmail_IsRefused()
    {
        var (owner, organization) = await NewOrganizationAsync();
        var invited = await app.NewUserAsync();
        var stranger = await app.NewUserAsync();
        var invitation = await Directory(d => d.InviteAsync(owner.Caller(), organization.Id, invited.User.Email, OrganizationRole.Viewer));

        await Assert.ThrowsAsync<AccessDeniedException>(() => Directory(d => d.AcceptAsync(stranger.Caller(), invitation!.Token)));
        await Directory(d => d.AcceptAsync(invited.Caller(), invitation!.Token));
        await Assert.ThrowsAsync<ConflictException>(() => Directory(d => d.AcceptAsync(invited.Caller(), invitation!.Token)));
        Assert.Null(await Directory(d => d.FindAsync(stranger.Caller(), organization.Id)));
    }

    [Fact]
    public async Task LastOwner_CannotBeDemotedOrRemoved()
    {
        var (owner, organization) = await NewOrganizationAsync();

        await Assert.ThrowsAsync<ConflictException>(() => Directory(d => d.ChangeRoleAsync(owner.Caller(), organization.Id, owner.User.Id, OrganizationRole.Admin)));
        await Assert.ThrowsAsync<ConflictException>(() => Directory(d => d.RemoveMemberAsync(owner.Caller(), organization.Id, owner.User.Id)));

        // With a second owner the first may step down.
        var second = await JoinAsync(owner, organization, OrganizationRole.Owner);
        Assert.True(await Directory(d => d.ChangeRoleAsync(owner.Caller(), organization.Id, owner.User.Id, OrganizationRole.Admin)));
        await Assert.ThrowsAsync<ConflictException>(() => Directory(d => d.RemoveMemberAsync(second.Caller(), organization.Id, second.User.Id)));
    }

    [Fact]
    public async Task Admin_ManagesDevelopersButNotOwners()
    {
        var (owner, organization) = await NewOrganizationAsync();
        var admin = await JoinAsync(owner, organization, OrganizationRole.Admin);
        var developer = await JoinAsync(owner, organization, OrganizationRole.Developer);

        Assert.True(await Directory(d => d.ChangeRoleAsync(admin.Caller(), organization.Id, developer.User.Id, OrganizationRole.Viewer)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Directory(d => d.ChangeRoleAsync(admin.Caller(), organization.Id, developer.User.Id, OrganizationRole.Owner)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Directory(d => d.RemoveMemberAsync(admin.Caller(), organization.Id, owner.User.Id)));
        Assert.True(await Directory(d => d.RemoveMemberAsync(admin.Caller(), organization.Id, developer.User.Id)));
        Assert.Null(await Directory(d => d.FindAsync(developer.Caller(), organization.Id)));
    }

    [Fact]
    public async Task ViewerOrDeveloper_CannotInviteOrChangeRoles()
    {
        var (owner, organization) = await NewOrganizationAsync();
        var viewer = await JoinAsync(owner, organization, OrganizationRole.Viewer);

        await Assert.ThrowsAsync<AccessDeniedException>(() => Directory(d => d.InviteAsync(viewer.Caller(), organization.Id, "x@example.com", OrganizationRole.Viewer)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Directory(d => d.ChangeRoleAsync(viewer.Caller(), organization.Id, owner.User.Id, OrganizationRole.Viewer)));
        Assert.Empty(await Directory(d => d.PendingInvitationsAsync(viewer.Caller(), organization.Id)));
    }

    [Fact]
    public async Task NonMember_GetsNothing()
    {
        var (_, organization) = await NewOrganizationAsync();
        var stranger = await app.NewUserAsync();

        Assert.Null(await Directory(d => d.InviteAsync(stranger.Caller(), organization.Id, "x@example.com", OrganizationRole.Viewer)));
        Assert.Empty(await Directory(d => d.MembersAsync(stranger.Caller(), organization.Id)));
        Assert.False(await Directory(d => d.ChangeRoleAsync(stranger.Caller(), organization.Id, stranger.User.Id, OrganizationRole.Owner)));
    }

    [Fact]
    public async Task Invite_InvalidEmailOrExistingMember_IsRefused()
    {
        var (owner, organization) = await NewOrganizationAsync();

        await Assert.ThrowsAsync<InvalidRequestException>(() => Directory(d => d.InviteAsync(owner.Caller(), organization.Id, "not an email", OrganizationRole.Viewer)));
        await Assert.ThrowsAsync<ConflictException>(() => Directory(d => d.InviteAsync(owner.Caller(), organization.Id, owner.User.Email, OrganizationRole.Viewer)));
    }

    private async Task<(TestUser Owner, OrganizationSummary Organization)> NewOrganizationAsync()
    {
        var owner = await app.NewUserAsync();
        var organization = await Directory(d => d.CreateAsync(owner.Caller(), "Acme " + Guid.NewGuid().ToString("N")[..6]));
        return (owner, organization);
    }

    private async Task<TestUser> JoinAsync(TestUser owner, OrganizationSummary organization, OrganizationRole role)
    {
        var user = await app.NewUserAsync();
        var invitation = await Directory(d => d.InviteAsync(owner.Caller(), organization.Id, user.User.Email, role));
        await Directory(d => d.AcceptAsync(user.Caller(), invitation!.Token));
        return user;
    }

    // A fresh scope (and DbContext) per call, as each request or circuit event has.
    private async Task<T> Directory<T>(Func<OrganizationDirectory, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<OrganizationDirectory>());
    }
}

public sealed class SqliteOrganizationDirectoryTests(SqliteApp app) : OrganizationDirectoryTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlOrganizationDirectoryTests(PostgreSqlApp app) : OrganizationDirectoryTests(app), IClassFixture<PostgreSqlApp>;
