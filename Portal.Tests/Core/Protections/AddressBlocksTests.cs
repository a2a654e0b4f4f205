using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics.Metrics;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Notifications;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Protections;

public abstract class AddressBlocksTests(PortalApp app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Add_ByAdmin_NormalisesAuditsAndBlocksAtOnce_Lift_EndsIt()
    {
        var organization = await app.NewOrganizationAsync();
        var admin = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        await using var scope = app.Scope();
        var blocks = scope.ServiceProvider.GetRequiredService<AddressBlocks>();
        var monitor = scope.ServiceProvider.GetRequiredService<ThreatMonitor>();
        var now = app.Clock.GetUtcNow();

        var added = await blocks.AddAsync(admin.Caller(), organization.Id, " 198.51.100.77/24 ", 30, "scanner");

        Assert.Equal(("198.51.100.0/24", BlockReason.Manual, TimeSpan.FromMinutes(30)), (added!.Network, added.Reason, added.TimeLeft));
        Assert.Contains("scanner", added.Cause);
        Assert.True(monitor.IsBlocked(organization.Id, ClientAddress.Parse("198.51.100.5"), now));
        Assert.False(monitor.IsBlocked(organization.Id, ClientAddress.Parse("198.51.101.5"), now));
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.True(await db.AuditRecords.AnyAsync(a => a.OrganizationId == organization.Id && a.Action == AuditActions.AddressBlocked && a.TargetId == "198.51.100.0/24" && a.ActorId == admin.User.Id));
        Assert.Equal(added.Id, Assert.Single((await blocks.ListAsync(organization.Owner.Caller(), organization.Id))!).Id);

        Assert.True(await blocks.LiftAsync(admin.Caller(), organization.Id, added.Id));

        Assert.False(monitor.IsBlocked(organization.Id, ClientAddress.Parse("198.51.100.5"), now));
        Assert.Empty((await blocks.ListAsync(organization.Owner.Caller(), organization.Id))!);
        Assert.True(await db.AuditRecords.AnyAsync(a => a.OrganizationId == organization.Id && a.Action == AuditActions.AddressUnblocked && a.TargetId == "198.51.100.0/24"));
        var stored = await db.AddressBlocks.AsNoTracking().SingleAsync(b => b.Id == added.Id);
        Assert.Equal(admin.User.Id, stored.LiftedBy);
        // Both databases keep the time to less than a millisecond, not to the tick.
        Assert.InRange(stored.LiftedAt!.Value, now.AddMilliseconds(-1), now);
        Assert.False(await blocks.LiftAsync(admin.Caller(), organization.Id, added.Id));
    }

    [Fact]
    public async Task Add_WithoutMinutes_LastsUntilLifted_WithMinutes_EndsByItself()
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var blocks = scope.ServiceProvider.GetRequiredService<AddressBlocks>();

        var forever = await blocks.AddAsync(organization.Owner.Caller(), organization.Id, "2001:DB8:ABCD::1/48", null);
        await blocks.AddAsync(organization.Owner.Caller(), organization.Id, "::ffff:192.0.2.9", 1);
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        var listed = Assert.Single((await blocks.ListAsync(organization.Owner.Caller(), organization.Id))!);
        Assert.Equal(("2001:db8:abcd::/48", null), (listed.Network, listed.TimeLeft));
        Assert.Equal(forever!.Id, listed.Id);
    }

    public static TheoryData<string?, int?, string?, string> BadInput => new()
    {
        { "not a network", null, null, "network" },
        { "10.0.0.0/33", null, null, "network" },
        { "fe80::1%eth0", null, null, "network" },
        { null, null, null, "network" },
        { "10.0.0.1", 0, null, "minutes" },
        { "10.0.0.1", 525_601, null, "minutes" },
        { "10.0.0.1", 5, new string('n', 201), "note" },
        { "10.0.0.1", 5, "scanner \u202Eetoh\u202C", "note" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Add_BadInput_NamesTheFieldAndSavesNothing(string? network, int? minutes, string? note, string field)
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var blocks = scope.ServiceProvider.GetRequiredService<AddressBlocks>();

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => blocks.AddAsync(organization.Owner.Caller(), organization.Id, network, minutes, note));

        Assert.Equal(field, Assert.Single(error.Errors).Key);
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AddressBlocks.AnyAsync(b => b.OrganizationId == organization.Id));
    }

    [Fact]
    public async Task Add_TheSameNetworkTwice_IsRefusedNamingIt()
    {
        var organization = await app.NewOrganizationAsync();
        await using var scope = app.Scope();
        var blocks = scope.ServiceProvider.GetRequiredService<AddressBlocks>();
        await blocks.AddAsync(organization.Owner.Caller(), organization.Id, "192.0.2.0/24", null);

        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => blocks.AddAsync(organization.Owner.Caller(), organization.Id, "192.0.2.128/24", 5));

        Assert.Equal("192.0.2.0/24 is already blocked.", Assert.Single(error.Errors["network"]));
    }

    [Theory]
    [InlineData(OrganizationRole.Developer)]
    [InlineData(OrganizationRole.Viewer)]
    public async Task NonAdmins_ReadButCannotChange_StrangersSeeNothing(OrganizationRole role)
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, role);
        var stranger = await app.NewUserAsync();
        await using var scope = app.Scope();
        var blocks = scope.ServiceProvider.GetRequiredService<AddressBlocks>();
        var block = await blocks.AddAsync(organization.Owner.Caller(), organization.Id, "192.0.2.1", null);

        Assert.Single((await blocks.ListAsync(member.Caller(), organization.Id))!);
        await Assert.ThrowsAsync<AccessDeniedException>(() => blocks.AddAsync(member.Caller(), organization.Id, "192.0.2.2", null));
        await Assert.ThrowsAsync<AccessDeniedException>(() => blocks.LiftAsync(member.Caller(), organization.Id, block!.Id));
        Assert.Null(await blocks.ListAsync(stranger.Caller(), organization.Id));
        Assert.Null(await blocks.AddAsync(stranger.Caller(), organization.Id, "192.0.2.2", null));
        Assert.False(await blocks.LiftAsync(stranger.Caller(), organization.Id, block!.Id));
    }

    [Fact]
    public async Task Responder_StoresAnAutomaticBlock_WithItsCauseAndAudit()
    {
        var organization = await app.NewOrganizationAsync();
        var (monitor, responder) = Detached();
        var address = ClientAddress.Parse("203.0.113.50");
        var policy = new ThreatPolicy(FailureLimit: 3);
        var now = app.Clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            monitor.ObserveRefusal(organization.Id, address, i == 0 ? "MALFORMED" : "NOT_FOUND", default, policy, now);
        }

        Assert.Equal(1, await responder.DrainAsync());

        await using var scope = app.Scope();
        var listed = Assert.Single((await scope.ServiceProvider.GetRequiredService<AddressBlocks>().ListAsync(organization.Owner.Caller(), organization.Id))!);
        Assert.Equal(("203.0.113.50/32", BlockReason.FailureBurst, "3 refusals (NOT_FOUND ×2, MALFORMED ×1) in 60 s", 1), (listed.Network, listed.Reason, listed.Cause, listed.Strike));
        Assert.Equal(TimeSpan.FromSeconds(300), listed.TimeLeft);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.True(await db.AuditRecords.AnyAsync(a => a.OrganizationId == organization.Id && a.Action == AuditActions.AddressBlocked && a.Actor == "system"));
    }

    [Fact]
    public async Task Responder_SuspiciousKey_NotifiesOwnerAndAdmins_SendsWebhook_Audits_AndSuspendsUnderPolicy()
    {
        var organization = await app.NewOrganizationAsync();
        var admin = await app.NewMemberAsync(organization, OrganizationRole.Admin);
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var viewer = await app.NewMemberAsync(organization, OrganizationRole.Viewer);
        var issued = await app.CreateKeyInAsync(developer, organization.Id);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<WebhookSettings>().SaveAsync(organization.Owner.Caller(), organization.Id, "https://hooks.example.com/portal", newSecret: false);
        }

        var (_, responder) = Detached();
        var changed = new List<Guid>();
        var feed = app.Services.GetRequiredService<KeyChangeFeed>();
        void OnChange(KeyChange change) => changed.Add(change.KeyId);
        feed.Changed += OnChange;
        try
        {
            await responder.HandleAsync(new KeySuspiciousEvent(organization.Id, issued.Key.Id, developer.User.Id, issued.Key.Name,
                "used from 3 countries within 3600 s", 4, ["BR", "DE", "FR"], Suspend: true, app.Clock.GetUtcNow()), CancellationToken.None);
        }
        finally
        {
            feed.Changed -= OnChange;
        }

        await using var check = app.Scope();
        var db = check.ServiceProvider.GetRequiredService<PortalDbContext>();
        var notified = await db.Notifications.AsNoTracking().Where(n => n.OrganizationId == organization.Id && n.Kind == NotificationKinds.KeySuspicious).Select(n => n.UserId).ToListAsync();
        Assert.Equal(new[] { organization.Owner.User.Id, admin.User.Id, developer.User.Id }.Order(), notified.Order());
        Assert.DoesNotContain(viewer.User.Id, notified);
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.OrganizationId == organization.Id && d.EventType == "key.suspicious");
        Assert.Contains(issued.Key.Id.ToString(), delivery.Payload);
        Assert.Contains("\"suspended\":true", delivery.Payload);
        Assert.Equal(KeyStatus.Suspended, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        var actions = await db.AuditRecords.AsNoTracking().Where(a => a.OrganizationId == organization.Id && a.TargetId == issued.Key.Id.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Contains(AuditActions.KeySuspicious, actions);
        Assert.Contains(AuditActions.KeySuspended, actions);
        Assert.Contains(issued.Key.Id, changed);
    }

    [Fact]
    public async Task Responder_SuspiciousKey_WithoutSuspension_LeavesTheKeyActive()
    {
        var organization = await app.NewOrganizationAsync();
        var issued = await app.CreateKeyInAsync(organization.Owner, organization.Id);
        var (_, responder) = Detached();

        await responder.HandleAsync(new KeySuspiciousEvent(organization.Id, issued.Key.Id, organization.Owner.User.Id, issued.Key.Name,
            "used from 50 addresses within 3600 s", 50, [], Suspend: false, app.Clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(issued.Key.Id)).Status);
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(1, await db.Notifications.CountAsync(n => n.OrganizationId == organization.Id && n.Kind == NotificationKinds.KeySuspicious));
        Assert.False(await db.AuditRecords.AnyAsync(a => a.OrganizationId == organization.Id && a.Action == AuditActions.KeySuspended));
    }

    // A monitor and responder of their own, so the app's running responder does not take the events.
    private (ThreatMonitor Monitor, ThreatResponder Responder) Detached()
    {
        var monitor = new ThreatMonitor(app.Services.GetRequiredService<IMeterFactory>());
        var responder = new ThreatResponder(
            monitor,
            app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
            app.Services.GetRequiredService<KeyChangeFeed>(),
            app.Services.GetRequiredService<TimeProvider>(),
            app.Services.GetRequiredService<IMeterFactory>(),
            NullLogger<ThreatResponder>.Instance);
        return (monitor, responder);
    }
}

public sealed class SqliteAddressBlocksTests(SqliteApp app) : AddressBlocksTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlAddressBlocksTests(PostgreSqlApp app) : AddressBlocksTests(app), IClassFixture<PostgreSqlApp>;
