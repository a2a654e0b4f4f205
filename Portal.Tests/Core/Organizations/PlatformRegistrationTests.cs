using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Organizations;

/// <summary>The registration setting and the sign-up decision. Tests set the mode they need: the setting is the app's, shared by the class.</summary>
public abstract class PlatformRegistrationTests(PortalApp app)
{
    protected abstract PortalApp NewApp();

    [Fact]
    public async Task Get_NewDatabase_IsInvitationOnly_AndSignUpWithoutInvitationIsRefused()
    {
        await using var fresh = NewApp();
        await using var scope = fresh.Scope();
        var registration = scope.ServiceProvider.GetRequiredService<PlatformRegistration>();

        Assert.Equal(RegistrationMode.InvitationOnly, await registration.GetAsync());
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().PlatformSettings.AnyAsync());
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() =>
            scope.ServiceProvider.GetRequiredService<UserAccounts>().RegisterAsync("newcomer@example.com", TestTenants.Password, invitationToken: null));
        Assert.Contains("invitation only", refused.Message, StringComparison.Ordinal);
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.AnyAsync());
    }

    [Fact]
    public async Task Set_ByNonAdministrator_IsDenied_AndChangesNothing()
    {
        var administrator = await NewAdministratorAsync();
        await SetAsync(administrator.Caller(), RegistrationMode.InvitationOnly);
        var user = await app.NewUserAsync();

        await Assert.ThrowsAsync<AccessDeniedException>(() => SetAsync(user.Caller(), RegistrationMode.Open));
        // An administrator's key acts for one organization: it is never a platform administrator.
        await Assert.ThrowsAsync<AccessDeniedException>(() => SetAsync(administrator.Caller(administrator.OrganizationId), RegistrationMode.Open));
        // Only the command line's own entry point skips the role check.
        await Assert.ThrowsAsync<AccessDeniedException>(() => SetAsync(new Caller(Guid.Empty, "cli:root", Channels.CommandLine), RegistrationMode.Open));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Registration(r => r.SetAsOperatorAsync(user.Caller(), RegistrationMode.Open)));

        Assert.Equal(RegistrationMode.InvitationOnly, await Registration(r => r.GetAsync()));
        Assert.False(await Registration(r => r.MayChangeAsync(user.Caller())));
    }

    [Fact]
    public async Task Set_ByAdministrator_Saves_AndAuditsPlatformRecordWithBeforeAndAfter()
    {
        var administrator = await NewAdministratorAsync();
        await SetAsync(administrator.Caller(), RegistrationMode.InvitationOnly);
        var since = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        await SetAsync(administrator.Caller(), RegistrationMode.Open);

        Assert.Equal(RegistrationMode.Open, await Registration(r => r.GetAsync()));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var settings = await db.PlatformSettings.AsNoTracking().SingleAsync();
        // Stored to the millisecond by some providers.
        Assert.InRange(settings.UpdatedAt, app.Clock.GetUtcNow().AddMilliseconds(-1), app.Clock.GetUtcNow());
        var records = await db.AuditRecords.AsNoTracking().Where(a => a.Action == AuditActions.RegistrationChanged && a.ActorId == administrator.User.Id).ToListAsync();
        var record = Assert.Single(records, a => a.OccurredAt > since);
        Assert.Equal("platform.registration_changed", record.Action);
        Assert.Null(record.OrganizationId);
        Assert.Equal(Channels.Portal, record.Channel);
        using var details = JsonDocument.Parse(record.Details!);
        Assert.Equal("invitation-only", details.RootElement.GetProperty("before").GetString());
        Assert.Equal("open", details.RootElement.GetProperty("after").GetString());
    }

    [Fact]
    public async Task Register_InvitationOnly_InvitedEmailWithItsInvitation_CreatesAccount()
    {
        await InvitationOnlyAsync();
        var email = $"invited-{Guid.NewGuid():N}@example.com";
        var token = await InviteAsync(email);

        var offer = await Registration(r => r.OfferAsync(token));
        var user = await Accounts(a => a.RegisterAsync(email.ToUpperInvariant(), TestTenants.Password, token));

        Assert.Equal(new SignUpOffer(true, email, null), offer);
        // The local part keeps its case; the domain, which has none, is stored in lower case.
        Assert.Equal(email.ToUpperInvariant().Replace("@EXAMPLE.COM", "@example.com", StringComparison.Ordinal), user.Email);
        await using var scope = app.Scope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .AnyAsync(a => a.Action == AuditActions.UserRegistered && a.ActorId == user.Id));
    }

    [Fact]
    public async Task Register_InvitationOnly_OtherEmailWithTheInvitation_IsRefused()
    {
        await InvitationOnlyAsync();
        var invited = $"invited-{Guid.NewGuid():N}@example.com";
        var other = $"other-{Guid.NewGuid():N}@example.com";
        var token = await InviteAsync(invited);

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => Accounts(a => a.RegisterAsync(other, TestTenants.Password, token)));

        Assert.Contains(invited, refused.Message, StringComparison.Ordinal);
        Assert.False(await UserExistsAsync(other));
    }

    [Fact]
    public async Task Register_InvitationOnly_ExpiredRevokedOrUnknownInvitation_IsRefused()
    {
        await InvitationOnlyAsync();
        var email = $"late-{Guid.NewGuid():N}@example.com";
        var expired = await InviteAsync(email);
        await using (var scope = app.Scope())
        {
            var hash = OneTimeTokens.Hash(expired);
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<Invitation>().Where(i => i.TokenHash == hash)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, app.Clock.GetUtcNow().AddMinutes(-1)));
        }

        await Assert.ThrowsAsync<AccessDeniedException>(() => Accounts(a => a.RegisterAsync(email, TestTenants.Password, expired)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Accounts(a => a.RegisterAsync(email, TestTenants.Password, "not-a-real-invitation")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Accounts(a => a.RegisterAsync(email, TestTenants.Password, null)));

        Assert.False(await UserExistsAsync(email));
        Assert.Equal(new SignUpOffer(false, null, PlatformRegistration.InvitationNotUsableMessage), await Registration(r => r.OfferAsync(expired)));
        Assert.Equal(new SignUpOffer(false, null, PlatformRegistration.InvitationOnlyMessage), await Registration(r => r.OfferAsync(null)));
    }

    [Fact]
    public async Task Register_Open_AnyoneRegistersWithoutInvitation()
    {
        var administrator = await NewAdministratorAsync();
        await SetAsync(administrator.Caller(), RegistrationMode.Open);
        var email = $"anyone-{Guid.NewGuid():N}@example.com";

        Assert.Equal(new SignUpOffer(true, null, null), await Registration(r => r.OfferAsync(null)));
        await Accounts(a => a.RegisterAsync(email, TestTenants.Password, null));

        Assert.True(await UserExistsAsync(email));
    }

    private async Task<TestUser> NewAdministratorAsync()
    {
        var user = await app.NewUserAsync();
        await app.MakePlatformAdministratorAsync(user);
        return user;
    }

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

    private Task SetAsync(Caller caller, RegistrationMode mode) => Registration(async r =>
    {
        await r.SetAsync(caller, mode);
        return true;
    });

    private async Task<T> Registration<T>(Func<PlatformRegistration, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<PlatformRegistration>());
    }

    private async Task Registration(Func<PlatformRegistration, Task> action)
    {
        await using var scope = app.Scope();
        await action(scope.ServiceProvider.GetRequiredService<PlatformRegistration>());
    }

    private async Task<T> Accounts<T>(Func<UserAccounts, Task<T>> action)
    {
        await using var scope = app.Scope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAccounts>());
    }

    private async Task<bool> UserExistsAsync(string email)
    {
        await using var scope = app.Scope();
        var normalized = email.ToUpperInvariant();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.AnyAsync(u => u.NormalizedEmail == normalized);
    }
}

public sealed class SqlitePlatformRegistrationTests(SqliteApp app) : PlatformRegistrationTests(app), IClassFixture<SqliteApp>
{
    protected override PortalApp NewApp() => new SqliteApp();
}

public sealed class PostgreSqlPlatformRegistrationTests(PostgreSqlApp app) : PlatformRegistrationTests(app), IClassFixture<PostgreSqlApp>
{
    protected override PortalApp NewApp() => new PostgreSqlApp();
}
