using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Keys;

/// <summary>Organization policies applied by KeyCatalog at creation, update and rotation.</summary>
public abstract class KeyPolicyTests(PortalApp app)
{
    [Fact]
    public async Task Create_LiveKeyByDeveloperUnderAdminsOnly_IsRefusedNamingEnvironment()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(LiveKeyCreators: LiveKeyCreators.AdminsOnly));
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => app.CreateKeyInAsync(developer, organization.Id, environment: KeyEnvironment.Live));

        Assert.Contains("only admins", Assert.Single(error.Errors["environment"]), StringComparison.Ordinal);
        await app.CreateKeyInAsync(developer, organization.Id, environment: KeyEnvironment.Test);
        await app.CreateKeyInAsync(organization.Owner, organization.Id, environment: KeyEnvironment.Live);
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ApiKeys
            .AnyAsync(k => k.OwnerId == developer.User.Id && k.OrganizationId == organization.Id && k.Environment == KeyEnvironment.Live));
    }

    [Fact]
    public async Task Create_UnderMaxLifetime_RequiresExpiryWithinIt()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(MaxKeyLifetimeDays: 30));
        var now = app.Clock.GetUtcNow();

        var missing = await Assert.ThrowsAsync<InvalidRequestException>(() => app.CreateKeyInAsync(organization.Owner, organization.Id));
        var tooLate = await Assert.ThrowsAsync<InvalidRequestException>(() => app.CreateKeyInAsync(organization.Owner, organization.Id, now.AddDays(31)));
        var ok = await app.CreateKeyInAsync(organization.Owner, organization.Id, now.AddDays(30));

        Assert.Contains("within 30 days", Assert.Single(missing.Errors["expiresAt"]), StringComparison.Ordinal);
        Assert.Contains("at most 30 days", Assert.Single(tooLate.Errors["expiresAt"]), StringComparison.Ordinal);
        Assert.Equal(now.AddDays(30), ok.Key.ExpiresAt);
    }

    [Fact]
    public async Task Update_RemovingExpiryUnderMaxLifetime_IsRefused()
    {
        var organization = await app.NewOrganizationAsync();
        var key = await app.CreateKeyInAsync(organization.Owner, organization.Id, app.Clock.GetUtcNow().AddDays(10));
        await app.SetPolicyAsync(organization, new PolicySettings(MaxKeyLifetimeDays: 30));
        await using var scope = app.Scope();
        var catalog = scope.ServiceProvider.GetRequiredService<KeyCatalog>();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.UpdateAsync(organization.Owner.Caller(), key.Key.Id, new UpdateKeyCommand(RemoveExpiry: true)));

        Assert.True(error.Errors.ContainsKey("expiresAt"));
    }

    [Fact]
    public async Task Rotate_GraceOverPolicyMaximum_IsRefused_NoGraceTakesPolicyDefault()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(DefaultGraceHours: 2, MaxGraceHours: 24));
        var key = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        await using var scope = app.Scope();
        var catalog = scope.ServiceProvider.GetRequiredService<KeyCatalog>();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => catalog.RotateAsync(organization.Owner.Caller(), key.Key.Id, TimeSpan.FromHours(25)));
        var rotated = await catalog.RotateAsync(organization.Owner.Caller(), key.Key.Id, requestedGrace: null);

        Assert.Contains("at most 24 hours", Assert.Single(error.Errors["gracePeriod"]), StringComparison.Ordinal);
        var old = (await app.ReadKeyAsync(key.Key.Id)).Secrets.Single(s => s.Hint == key.Key.Hint);
        Assert.True((app.Clock.GetUtcNow().AddHours(2) - old.RetiresAt!.Value).Duration() < TimeSpan.FromMilliseconds(1));
        Assert.NotNull(rotated);
    }
}

public sealed class SqliteKeyPolicyTests(SqliteApp app) : KeyPolicyTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeyPolicyTests(PostgreSqlApp app) : KeyPolicyTests(app), IClassFixture<PostgreSqlApp>;
