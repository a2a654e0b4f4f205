using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Leaks;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Leaks;

/// <summary>
/// The way out of a leak under the suspend policy, over real HTTP: a key suspended by a report is
/// rotated (its reported token then stops at once, whatever grace is asked), and only then may its
/// suspension be lifted; a reported token that works again (a suspension lifted without a rotation
/// by an older version) is stopped again by the next report of it.
/// </summary>
public abstract class LeakRecoveryTests(DoorApp app)
{
    [Fact]
    public async Task SuspendedByAReport_RotatedThroughTheApi_OldTokenRefusedAtOnce_ThenLifted_NewTokenValid()
    {
        var (owner, issued, url) = await SuspendPolicyKeyAsync();
        Assert.Equal("true_positive", Assert.Single(await app.ReportAsync(issued.Token)).Label);
        Assert.Equal((HttpStatusCode.Forbidden, "SUSPENDED"), await CheckAsync(url, issued.Token));

        // A day of grace is asked; a suspended key's old token gets none.
        using var rotate = await owner.Client.PostAsJsonAsync($"/api/v1/keys/{issued.Key.Id}/rotate", new { gracePeriodSeconds = 86400 });
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var rotated = await rotate.ReadJsonAsync();
        var newToken = rotated.GetProperty("token").GetString()!;
        Assert.Equal("suspended", rotated.GetProperty("key").GetProperty("status").GetString());
        Assert.Equal(app.Clock.GetUtcNow(), rotated.GetProperty("oldTokenRetiresAt").GetDateTimeOffset());
        Assert.Equal((HttpStatusCode.Forbidden, "SUSPENDED"), await CheckAsync(url, issued.Token));
        Assert.Equal((HttpStatusCode.Forbidden, "SUSPENDED"), await CheckAsync(url, newToken));

        using var lift = await owner.Client.PostAsync($"/api/v1/keys/{issued.Key.Id}/lift-suspension", null);

        Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        // Not a tick later: the reported token never works again.
        Assert.Equal((HttpStatusCode.Unauthorized, "EXPIRED"), await CheckAsync(url, issued.Token));
        Assert.Equal((HttpStatusCode.OK, "VALID"), await CheckAsync(url, newToken));
        var key = await app.ReadKeyAsync(issued.Key.Id);
        Assert.Equal(KeyStatus.Active, key.Status);
        Assert.All(key.Secrets.Where(s => s.Hint != key.Hint), s => Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), s.RetiresAt?.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task LiftBeforeRotation_IsRefusedWith409NamingTheReason_AndTheKeyStaysSuspended()
    {
        var (owner, issued, url) = await SuspendPolicyKeyAsync();
        await app.ReportAsync(issued.Token);

        using var lift = await owner.Client.PostAsync($"/api/v1/keys/{issued.Key.Id}/lift-suspension", null);

        Assert.Equal(HttpStatusCode.Conflict, lift.StatusCode);
        var reason = Assert.Single((await lift.ReadJsonAsync()).GetProperty("errors").GetProperty("status").EnumerateArray()).GetString();
        Assert.Contains("the reported token is still the key's current token: rotate the key first", reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(KeyStatus.Suspended, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        Assert.Equal((HttpStatusCode.Forbidden, "SUSPENDED"), await CheckAsync(url, issued.Token));
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords
            .AnyAsync(a => a.TargetId == issued.Key.Id.ToString() && a.Action == AuditActions.KeySuspensionLifted));
    }

    [Theory]
    [InlineData(LeakResponse.Suspend)]
    [InlineData(LeakResponse.Revoke)]
    public async Task Report_TokenThatWorksAgain_IsStoppedAgainUnderThePolicyOfTheDay(LeakResponse policy)
    {
        var (owner, issued, url) = await SuspendPolicyKeyAsync();
        await app.ReportAsync(issued.Token);
        await ReviveWithoutRotationAsync(issued.Key.Id);
        Assert.Equal((HttpStatusCode.OK, "VALID"), await CheckAsync(url, issued.Token));
        await app.SetPolicyAsync(new TestOrganization(owner.OrganizationId, owner), new PolicySettings(Threats: ThreatPolicy.Default with { ReportedLeaks = policy }));
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await app.ReportAsync(issued.Token);

        Assert.Equal("true_positive", Assert.Single(again).Label);
        Assert.Equal(policy == LeakResponse.Revoke ? (HttpStatusCode.Unauthorized, "REVOKED") : (HttpStatusCode.Forbidden, "SUSPENDED"), await CheckAsync(url, issued.Token));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var actions = await db.AuditRecords.AsNoTracking().Where(a => a.TargetId == issued.Key.Id.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Equal(2, actions.Count(a => a == AuditActions.KeyLeaked));
        Assert.Equal(policy == LeakResponse.Revoke ? 1 : 2, actions.Count(a => a == AuditActions.KeySuspended));
        Assert.Equal(policy == LeakResponse.Revoke ? 1 : 0, actions.Count(a => a == AuditActions.KeyRevoked));
        var leak = await db.KeyLeaks.AsNoTracking().SingleAsync(l => l.KeyId == issued.Key.Id);
        Assert.Equal((policy == LeakResponse.Revoke ? KeyLeakOutcome.Revoked : KeyLeakOutcome.Suspended, app.Clock.GetUtcNow().ToUnixTimeMilliseconds()), (leak.Outcome, leak.ReportedAt.ToUnixTimeMilliseconds()));
        var told = await db.Notifications.AsNoTracking().Where(n => n.KeyId == issued.Key.Id && n.Kind == NotificationKinds.KeyLeaked).OrderBy(n => n.DueAt).ToListAsync();
        Assert.Equal(2, told.Count);
        Assert.Contains("It had been reported before, and it worked again.", told[1].Message);
    }

    [Fact]
    public async Task Report_SameTokenAgainWhileItsKeyIsSuspended_IsStillATruePositive_ButNothingIsDoneTwice()
    {
        var (_, issued, _) = await SuspendPolicyKeyAsync();
        await app.ReportAsync(issued.Token);
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await app.ReportAsync(issued.Token);

        Assert.Equal("true_positive", Assert.Single(again).Label);
        Assert.Equal(KeyStatus.Suspended, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(1, await db.KeyLeaks.CountAsync(l => l.KeyId == issued.Key.Id));
        Assert.Equal(1, await db.AuditRecords.CountAsync(a => a.TargetId == issued.Key.Id.ToString() && a.Action == AuditActions.KeyLeaked));
        Assert.Equal(1, await db.AuditRecords.CountAsync(a => a.TargetId == issued.Key.Id.ToString() && a.Action == AuditActions.KeySuspended));
        Assert.Equal(1, await db.Notifications.CountAsync(n => n.KeyId == issued.Key.Id && n.Kind == NotificationKinds.KeyLeaked));
    }

    [Fact]
    public async Task Report_WhileSuspendedForSuspiciousUse_TellsTheOwnerToRotate_AndTheLiftWaitsForTheRotation()
    {
        var (owner, issued, url) = await SuspendPolicyKeyAsync();
        await SuspendAsync(issued.Key.Id);

        await app.ReportAsync(issued.Token);

        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.Equal(KeyLeakOutcome.None, (await db.KeyLeaks.AsNoTracking().SingleAsync(l => l.KeyId == issued.Key.Id)).Outcome);
            var message = (await db.Notifications.AsNoTracking().SingleAsync(n => n.KeyId == issued.Key.Id && n.Kind == NotificationKinds.KeyLeaked)).Message;
            Assert.Contains("The key was already suspended: rotate it (the old token stops at once), then an admin can lift the suspension.", message);
        }

        using var early = await owner.Client.PostAsync($"/api/v1/keys/{issued.Key.Id}/lift-suspension", null);
        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromHours(1));
        using var lift = await owner.Client.PostAsync($"/api/v1/keys/{issued.Key.Id}/lift-suspension", null);

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(app.Clock.GetUtcNow(), rotated.OldTokenRetiresAt);
        Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, "EXPIRED"), await CheckAsync(url, issued.Token));
        Assert.Equal((HttpStatusCode.OK, "VALID"), await CheckAsync(url, rotated.Token));
    }

    /// <summary>A key of a new user's organization, whose leak policy is "suspend", and the URL of its gateway door's header form.</summary>
    private async Task<(TestUser Owner, IssuedKey Issued, string Url)> SuspendPolicyKeyAsync()
    {
        var owner = await app.NewUserAsync();
        await app.SetPolicyAsync(new TestOrganization(owner.OrganizationId, owner), new PolicySettings(Threats: ThreatPolicy.Default with { ReportedLeaks = LeakResponse.Suspend }));
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        return (owner, issued, await app.CheckUrlAsync(owner, "orders:read"));
    }

    private async Task<(HttpStatusCode Status, string? Code)> CheckAsync(string url, string token)
    {
        using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(token));
        return (response.StatusCode, response.Header("X-Auth-Code"));
    }

    /// <summary>What an older version's lift did: the key active again with its reported token unrotated, caches told.</summary>
    private Task ReviveWithoutRotationAsync(Guid keyId) => SetStatusAsync(keyId, KeyStatus.Active);

    /// <summary>What the threat responder does to a key used from too many places under <c>suspendSuspiciousKeys</c>.</summary>
    private Task SuspendAsync(Guid keyId) => SetStatusAsync(keyId, KeyStatus.Suspended);

    private async Task SetStatusAsync(Guid keyId, KeyStatus status)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var key = await db.ApiKeys.Include(k => k.Secrets).SingleAsync(k => k.Id == keyId);
        key.Status = status;
        key.ConcurrencyStamp = Guid.NewGuid();
        await db.SaveChangesAsync();
        app.Services.GetRequiredService<KeyChangeFeed>().Publish(KeyChange.Of(key));
    }
}

public sealed class SqliteLeakRecoveryTests(SqliteDoorApp app) : LeakRecoveryTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlLeakRecoveryTests(PostgreSqlDoorApp app) : LeakRecoveryTests(app), IClassFixture<PostgreSqlDoorApp>;
