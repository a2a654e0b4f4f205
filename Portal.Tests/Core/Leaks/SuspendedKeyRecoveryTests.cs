using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Leaks;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Leaks;

/// <summary>
/// <see cref="KeyCatalog"/> on a suspended key, as the portal uses it: a rotation retires every old
/// token at once whatever grace is asked, and a lift is refused while a reported token still works
/// (current or in its grace period), allowed once it is retired or when no token was reported.
/// </summary>
public abstract class SuspendedKeyRecoveryTests(PortalApp app)
{
    [Fact]
    public async Task Rotate_SuspendedKey_RetiresEveryOldTokenAtOnceWhateverTheGrace_AndTheKeyStaysSuspended()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var second = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromHours(1));
        await SetStatusAsync(issued.Key.Id, KeyStatus.Suspended);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var now = app.Clock.GetUtcNow();

        var third = await InScope<KeyCatalog, IssuedKey?>(c => c.RotateAsync(owner.Caller(), issued.Key.Id, TimeSpan.FromDays(7)));

        Assert.Equal(now, third!.OldTokenRetiresAt);
        var key = await app.ReadKeyAsync(issued.Key.Id);
        Assert.Equal(KeyStatus.Suspended, key.Status);
        Assert.Equal(third.Key.Hint, key.Hint);
        Assert.Equal(
            [(issued.Key.Hint, now.ToUnixTimeMilliseconds()), (second.Key.Hint, now.ToUnixTimeMilliseconds())],
            key.Secrets.Where(s => s.Hint != third.Key.Hint).OrderBy(s => s.CreatedAt).Select(s => (s.Hint, s.RetiresAt?.ToUnixTimeMilliseconds() ?? 0)));
        Assert.Null(key.Secrets.Single(s => s.Hint == third.Key.Hint).RetiresAt);
        await using var scope = app.Scope();
        var rotations = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .Where(a => a.TargetId == issued.Key.Id.ToString() && a.Action == AuditActions.KeyRotated).ToListAsync();
        var rotated = rotations.MaxBy(a => a.OccurredAt)!;
        Assert.Contains("\"suspended\":false", rotations.MinBy(a => a.OccurredAt)!.Details);
        Assert.Contains("\"suspended\":true", rotated.Details);
        Assert.Contains("\"gracePeriod\":\"00:00:00\"", rotated.Details);
    }

    [Fact]
    public async Task Rotate_SuspendedKey_GraceOverThePolicyMaximum_IsNotRefused_SinceNoneIsGiven()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(MaxGraceHours: 1));
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        await SetStatusAsync(issued.Key.Id, KeyStatus.Suspended);

        var rotated = await InScope<KeyCatalog, IssuedKey?>(c => c.RotateAsync(organization.Owner.Caller(), issued.Key.Id, TimeSpan.FromDays(2)));

        Assert.Equal(app.Clock.GetUtcNow(), rotated!.OldTokenRetiresAt);
    }

    [Theory]
    [InlineData(KeyStatus.Disabled)]
    [InlineData(KeyStatus.Revoked)]
    [InlineData(KeyStatus.Expired)]
    public async Task Rotate_KeyThatIsNeitherActiveNorSuspended_IsAConflict_AndChangesNothing(KeyStatus status)
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await SetStatusAsync(issued.Key.Id, status);

        var error = await Assert.ThrowsAsync<ConflictException>(() => InScope<KeyCatalog, IssuedKey?>(c => c.RotateAsync(owner.Caller(), issued.Key.Id, TimeSpan.Zero)));

        Assert.Equal("status", error.Field);
        Assert.Single((await app.ReadKeyAsync(issued.Key.Id)).Secrets);
    }

    [Fact]
    public async Task LiftSuspension_ReportedTokenInItsGracePeriod_IsRefused_UntilTheKeyIsRotatedAgain()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(Threats: ThreatPolicy.Default with { ReportedLeaks = LeakResponse.Suspend }));
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        await app.RotateAsync(organization.Owner, issued.Key.Id, TimeSpan.FromHours(1));
        await ReportAsync(issued.Token);
        Assert.Equal(KeyStatus.Suspended, (await app.ReadKeyAsync(issued.Key.Id)).Status);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => LiftAsync(organization.Owner, issued.Key.Id));
        await app.RotateAsync(organization.Owner, issued.Key.Id, TimeSpan.FromHours(1));
        var lifted = await LiftAsync(organization.Owner, issued.Key.Id);

        Assert.Equal("status", refused.Field);
        Assert.Contains("grace period: rotate the key again first", refused.Message);
        Assert.Equal(KeyStatus.Active, lifted!.Status);
    }

    [Fact]
    public async Task LiftSuspension_NoReportedToken_IsAllowed()
    {
        var organization = await app.NewOrganizationAsync();
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        // Suspended for suspicious use (the threat responder's way): no token was reported.
        await SetStatusAsync(issued.Key.Id, KeyStatus.Suspended);

        var lifted = await LiftAsync(organization.Owner, issued.Key.Id);

        Assert.Equal(KeyStatus.Active, lifted!.Status);
    }

    [Fact]
    public async Task LiftSuspension_ReportedTokenAlreadyRetired_IsAllowed()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(Threats: ThreatPolicy.Default with { ReportedLeaks = LeakResponse.Suspend }));
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        await app.RotateAsync(organization.Owner, issued.Key.Id, TimeSpan.Zero);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await ReportAsync(issued.Token);
        await SetStatusAsync(issued.Key.Id, KeyStatus.Suspended);

        var lifted = await LiftAsync(organization.Owner, issued.Key.Id);

        Assert.Equal(KeyStatus.Active, lifted!.Status);
        await using var scope = app.Scope();
        Assert.Equal(KeyLeakOutcome.None, (await scope.ServiceProvider.GetRequiredService<PortalDbContext>().KeyLeaks.AsNoTracking().SingleAsync(l => l.KeyId == issued.Key.Id)).Outcome);
    }

    private Task<bool[]> ReportAsync(string token) =>
        app.Services.GetRequiredService<LeakReports>().ReportAsync(new LeakReporter.Scanner("k"), [new FoundToken(token)]);

    private Task<ApiKey?> LiftAsync(TestUser admin, Guid keyId) =>
        InScope<KeyCatalog, ApiKey?>(c => c.LiftSuspensionAsync(admin.Caller(), keyId));

    private async Task<TResult> InScope<TService, TResult>(Func<TService, Task<TResult>> call)
        where TService : notnull
    {
        await using var scope = app.Scope();
        return await call(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private async Task SetStatusAsync(Guid keyId, KeyStatus status)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var key = await db.ApiKeys.SingleAsync(k => k.Id == keyId);
        key.Status = status;
        key.ConcurrencyStamp = Guid.NewGuid();
        await db.SaveChangesAsync();
    }
}

public sealed class SqliteSuspendedKeyRecoveryTests(SqliteApp app) : SuspendedKeyRecoveryTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlSuspendedKeyRecoveryTests(PostgreSqlApp app) : SuspendedKeyRecoveryTests(app), IClassFixture<PostgreSqlApp>;
