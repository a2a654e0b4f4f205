using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Leaks;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Webhooks;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Leaks;

/// <summary>
/// <c>POST /api/v1/keys/leaks</c> with a signed report, over real HTTP: a token of a key stops the key
/// under its organization's policy (seen at the gateway door on the very next request), tells the owner
/// and admins, queues a <c>key.leaked</c> webhook event and is audited; anything else is a false positive
/// that changes nothing; nothing is done twice. The way out of a suspension is in <see cref="LeakRecoveryTests"/>.
/// </summary>
public abstract class LeakReport200Tests(DoorApp app)
{
    [Fact]
    public async Task Report_TokenOfAKey_RevokesIt_RefusedAtTheGatewayOnTheNextRequest_AndTheOwnerIsNotified()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var url = await app.CheckUrlAsync(owner, "orders:read");
        using (var cached = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        var answer = await app.ReportAsync(issued.Token);

        Assert.Equal([(LeakScanner.Sha256(issued.Token), "portal_api_key", "true_positive")], answer);
        using (var refused = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("REVOKED", refused.Header("X-Auth-Code"));
        }

        var key = await app.ReadKeyAsync(issued.Key.Id);
        Assert.Equal((KeyStatus.Revoked, app.Clock.GetUtcNow().ToUnixTimeMilliseconds()), (key.Status, key.RevokedAt?.ToUnixTimeMilliseconds()));
        await using var scope = app.Scope();
        var inbox = await scope.ServiceProvider.GetRequiredService<NotificationInbox>().RecentAsync(owner.Caller());
        var notification = Assert.Single(inbox, n => n.Kind == NotificationKinds.KeyLeaked);
        Assert.Equal(issued.Key.Id, notification.KeyId);
        Assert.Contains(issued.Key.Name, notification.Message);
        Assert.Contains("was revoked", notification.Message);
        Assert.Contains("https://github.com/octocat/hello-world/blob/", notification.Message);
        Assert.DoesNotContain(issued.Token, notification.Message);

        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var audit = await db.AuditRecords.AsNoTracking().Where(a => a.TargetId == issued.Key.Id.ToString() && a.Action != AuditActions.KeyCreated).ToListAsync();
        var leaked = Assert.Single(audit, a => a.Action == AuditActions.KeyLeaked);
        Assert.Single(audit, a => a.Action == AuditActions.KeyRevoked);
        Assert.StartsWith("secret scanner (key bcb53661c06b4728", leaked.Actor);
        Assert.Null(leaked.ActorId);
        Assert.Contains("\"outcome\":\"revoked\"", leaked.Details);
        Assert.Contains("\"source\":\"content\"", leaked.Details);
        var stored = Assert.Single(await db.KeyLeaks.AsNoTracking().Where(l => l.KeyId == issued.Key.Id).ToListAsync());
        Assert.Equal((owner.OrganizationId, KeyLeakOutcome.Revoked, "content"), (stored.OrganizationId, stored.Outcome, stored.Source));
        Assert.StartsWith("https://github.com/octocat/hello-world/blob/", stored.Url);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(issued.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_SuspendPolicy_SuspendsTheKey_AndTellsOwnerAndAdminsButNotViewers()
    {
        var organization = await app.NewOrganizationAsync();
        var admin = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var viewer = await app.NewMemberAsync(organization, OrganizationRole.Viewer);
        await app.SetPolicyAsync(organization, new PolicySettings(Threats: ThreatPolicy.Default with { ReportedLeaks = LeakResponse.Suspend }));
        var issued = await app.CreateKeyInAsync(developer, organization.Id);

        var answer = await app.ReportAsync(issued.Token);

        Assert.Equal("true_positive", Assert.Single(answer).Label);
        Assert.Equal(KeyStatus.Suspended, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var told = await db.Notifications.AsNoTracking().Where(n => n.OrganizationId == organization.Id && n.Kind == NotificationKinds.KeyLeaked).ToListAsync();
        Assert.Equal(new[] { organization.Owner.User.Id, admin.User.Id, developer.User.Id }.Order(), told.Select(n => n.UserId).Order());
        Assert.DoesNotContain(told, n => n.UserId == viewer.User.Id);
        Assert.All(told, n => Assert.Contains("was suspended", n.Message));
        var actions = await db.AuditRecords.AsNoTracking().Where(a => a.TargetId == issued.Key.Id.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Contains(AuditActions.KeySuspended, actions);
        Assert.DoesNotContain(AuditActions.KeyRevoked, actions);
    }

    [Fact]
    public async Task Report_SuspendPolicy_KeyRefusedWith403SuspendedAtTheGateway()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(Threats: ThreatPolicy.Default with { ReportedLeaks = LeakResponse.Suspend }));
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        var url = await app.CheckUrlAsync(organization.Owner with { OrganizationId = organization.Id }, "orders:read");

        await app.ReportAsync(issued.Token);

        using var refused = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token));
        Assert.Equal((HttpStatusCode.Forbidden, "SUSPENDED"), (refused.StatusCode, refused.Header("X-Auth-Code")));
    }

    [Fact]
    public async Task Report_WithAWebhookEndpoint_QueuesOneKeyLeakedEventWithoutTheToken()
    {
        var organization = await app.NewOrganizationAsync();
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<WebhookSettings>().SaveAsync(organization.Owner.Caller(), organization.Id, "https://hooks.example.com/portal", newSecret: false);
        }

        await app.ReportAsync(issued.Token);

        await using var check = app.Scope();
        var delivery = await check.ServiceProvider.GetRequiredService<PortalDbContext>().WebhookDeliveries.AsNoTracking()
            .SingleAsync(d => d.OrganizationId == organization.Id && d.EventType == "key.leaked");
        Assert.Contains(issued.Key.Id.ToString(), delivery.Payload);
        Assert.Contains("\"outcome\":\"revoked\"", delivery.Payload);
        Assert.Contains("\"source\":\"content\"", delivery.Payload);
        Assert.DoesNotContain(issued.Token, delivery.Payload);
    }

    [Fact]
    public async Task Report_UnknownMalformedAndBadChecksumTokens_AreFalsePositives_AndChangeNothing()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        string[] others =
        [
            DoorTestKit.UnknownToken(), DoorTestKit.WithBadChecksum(issued.Token), "not a key at all", DoorTestKit.UnicodeToken,
            issued.Token[..^1], issued.Token + "A", issued.Token.ToUpperInvariant(), " " + issued.Token, DoorTestKit.TenKilobyteToken()[..1000],
        ];

        var answer = await app.ReportAsync(others);

        Assert.Equal(others.Select(t => (LeakScanner.Sha256(t), "portal_api_key", "false_positive")), answer);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.False(await db.KeyLeaks.AnyAsync(l => l.OrganizationId == owner.OrganizationId));
        Assert.False(await db.AuditRecords.AnyAsync(a => a.Action == AuditActions.KeyLeaked && a.OrganizationId == owner.OrganizationId));
        Assert.False(await db.Notifications.AnyAsync(n => n.UserId == owner.User.Id && n.Kind == NotificationKinds.KeyLeaked));
    }

    [Fact]
    public async Task Report_MixedBatch_LabelsEachTokenInOrder()
    {
        var owner = await app.NewUserAsync();
        var first = await app.CreateKeyAsync(owner, ["orders:read"]);
        var second = await app.CreateKeyAsync(owner, ["orders:read"]);
        var unknown = DoorTestKit.UnknownToken();

        var answer = await app.ReportAsync(unknown, first.Token, "garbage", second.Token, first.Token);

        Assert.Equal(["false_positive", "true_positive", "false_positive", "true_positive", "true_positive"], answer.Select(a => a.Label));
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(first.Key.Id)).Status);
        Assert.Equal(KeyStatus.Revoked, (await app.ReadKeyAsync(second.Key.Id)).Status);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(2, await db.KeyLeaks.CountAsync(l => l.OrganizationId == owner.OrganizationId));
    }

    [Fact]
    public async Task Report_KeyRevokedBefore_IsATruePositive_RecordedButNobodyIsBothered()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await app.RevokeAsync(owner, issued.Key.Id);
        var revokedAt = (await app.ReadKeyAsync(issued.Key.Id)).RevokedAt;
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var answer = await app.ReportAsync(issued.Token);

        Assert.Equal("true_positive", Assert.Single(answer).Label);
        Assert.Equal(revokedAt, (await app.ReadKeyAsync(issued.Key.Id)).RevokedAt);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(KeyLeakOutcome.None, (await db.KeyLeaks.SingleAsync(l => l.KeyId == issued.Key.Id)).Outcome);
        Assert.False(await db.Notifications.AnyAsync(n => n.KeyId == issued.Key.Id && n.Kind == NotificationKinds.KeyLeaked));
        Assert.Equal(1, await db.AuditRecords.CountAsync(a => a.TargetId == issued.Key.Id.ToString() && a.Action == AuditActions.KeyRevoked));
    }

    [Fact]
    public async Task Report_RotatedOutTokenStillInGrace_RevokesTheKey()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.FromHours(1));

        await app.ReportAsync(issued.Token);

        var key = await app.ReadKeyAsync(issued.Key.Id);
        Assert.Equal(KeyStatus.Revoked, key.Status);
        using var refused = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(rotated.Token));
        Assert.Equal("REVOKED", refused.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Report_RetiredToken_IsATruePositive_ButTheKeyKeepsWorking()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var rotated = await app.RotateAsync(owner, issued.Key.Id, TimeSpan.Zero);
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        var answer = await app.ReportAsync(issued.Token);

        Assert.Equal("true_positive", Assert.Single(answer).Label);
        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        await using var scope = app.Scope();
        var inbox = await scope.ServiceProvider.GetRequiredService<NotificationInbox>().RecentAsync(owner.Caller());
        Assert.Contains("had already stopped working", Assert.Single(inbox, n => n.Kind == NotificationKinds.KeyLeaked).Message);
        using var allowed = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(rotated.Token));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Report_ConcurrentReportsOfOneToken_ActOnce()
    {
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.ReportAsync(issued.Token)));

        Assert.All(answers, a => Assert.Equal("true_positive", Assert.Single(a).Label));
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(1, await db.KeyLeaks.CountAsync(l => l.KeyId == issued.Key.Id));
        Assert.Equal(1, await db.AuditRecords.CountAsync(a => a.TargetId == issued.Key.Id.ToString() && a.Action == AuditActions.KeyRevoked));
    }
}

public sealed class SqliteLeakReport200Tests(SqliteDoorApp app) : LeakReport200Tests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlLeakReport200Tests(PostgreSqlDoorApp app) : LeakReport200Tests(app), IClassFixture<PostgreSqlDoorApp>;
