using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api.Keys;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>Every lifecycle action through the API leaves an audit record: actor, action, target, time, client IP.</summary>
public abstract class KeysAuditTests(PortalApp app)
{
    private static readonly IPAddress ClientIp = IPAddress.Parse("203.0.113.7");

    [Fact]
    public async Task Lifecycle_EveryAction_WritesOneRecordWithActorTargetTimeAndClientIp()
    {
        var user = await app.NewUserAsync();
        using var client = app.ClientFrom(ClientIp, user.ManageToken);
        var actor = $"key {ApiKeyToken.Hint(user.ManageToken)}";

        var createdAt = app.Clock.GetUtcNow();
        var created = await client.CreateKeyAsync("audited", "orders:read");
        var keyId = created.Key.Id;

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var updatedAt = app.Clock.GetUtcNow();
        (await client.PatchAsJsonAsync($"/api/v1/keys/{keyId}", new { name = "audited again" })).EnsureSuccessStatusCode();

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var rotatedAt = app.Clock.GetUtcNow();
        var rotated = await (await client.PostAsJsonAsync($"/api/v1/keys/{keyId}/rotate", new { gracePeriodSeconds = 60 }))
            .ReadAsync<IssuedKeyResponse>(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var revokedAt = app.Clock.GetUtcNow();
        (await client.PostAsync($"/api/v1/keys/{keyId}/revoke", null)).EnsureSuccessStatusCode();

        var records = await RecordsAsync(keyId);
        Assert.Equal([AuditActions.KeyCreated, AuditActions.KeyUpdated, AuditActions.KeyRotated, AuditActions.KeyRevoked], records.Select(r => r.Action));
        Assert.All(records, r =>
        {
            Assert.Equal(user.User.Id, r.ActorId);
            Assert.Equal(actor, r.Actor);
            Assert.Equal("key", r.TargetType);
            Assert.Equal(keyId.ToString(), r.TargetId);
            Assert.Equal(user.OrganizationId, r.OrganizationId);
            Assert.Equal("api", r.Channel);
            Assert.Equal("203.0.113.7", r.ClientIp);
            Assert.DoesNotContain(created.Token, r.Details ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(rotated.Token, r.Details ?? "", StringComparison.Ordinal);
        });
        Assert.Equal(["audited", "audited again", "audited again", "audited again"], records.Select(r => r.TargetName));
        var expectedTimes = new[] { createdAt, updatedAt, rotatedAt, revokedAt };
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(expectedTimes[i], records[i].OccurredAt, TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task Update_Record_HoldsBeforeAndAfter()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("old name");

        (await user.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { name = "new name" })).EnsureSuccessStatusCode();

        var update = Assert.Single(await RecordsAsync(created.Key.Id), r => r.Action == AuditActions.KeyUpdated);
        Assert.Contains("old name", update.Details, StringComparison.Ordinal);
        Assert.Contains("new name", update.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_Record_HoldsHintsNotTokens()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("rotated");

        var rotated = await (await user.Client.PostAsJsonAsync($"/api/v1/keys/{created.Key.Id}/rotate", new { gracePeriodSeconds = 0 }))
            .ReadAsync<IssuedKeyResponse>(HttpStatusCode.OK);

        var rotation = Assert.Single(await RecordsAsync(created.Key.Id), r => r.Action == AuditActions.KeyRotated);
        var details = System.Text.Json.JsonDocument.Parse(rotation.Details!).RootElement;
        Assert.Equal(created.Key.Hint, details.GetProperty("oldHint").GetString());
        Assert.Equal(rotated.Key.Hint, details.GetProperty("newHint").GetString());
        Assert.DoesNotContain(created.Token, rotation.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(rotated.Token, rotation.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedRequests_WriteNoRecord()
    {
        var alice = await app.NewUserAsync();
        var bob = await app.NewUserAsync();
        var bobs = await bob.Client.CreateKeyAsync("bob's");
        var before = await CountAsync();

        await alice.Client.PostAsJsonAsync("/api/v1/keys", new { name = "" });
        await alice.Client.PatchAsJsonAsync($"/api/v1/keys/{bobs.Key.Id}", new { name = "mine now" });
        await alice.Client.PostAsync($"/api/v1/keys/{bobs.Key.Id}/revoke", null);
        await alice.Client.PostAsJsonAsync($"/api/v1/keys/{bobs.Key.Id}/rotate", new { gracePeriodSeconds = 0 });
        await app.ClientWith(ApiKeyToken.Generate("pk_test")).PostAsJsonAsync("/api/v1/keys", new { name = "anonymous" });

        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AuditRecord_ChangedAfterwards_IsRefused()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("append only");
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var record = await db.AuditRecords.FirstAsync(r => r.TargetId == created.Key.Id.ToString());

        record.Actor = "someone else";
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();

        db.AuditRecords.Remove(await db.AuditRecords.FirstAsync(r => r.TargetId == created.Key.Id.ToString()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }

    private async Task<List<AuditRecord>> RecordsAsync(Guid keyId)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var records = await db.AuditRecords.AsNoTracking().Where(r => r.TargetId == keyId.ToString()).ToListAsync();
        return [.. records.OrderBy(r => r.OccurredAt).ThenBy(r => r.Id)];
    }

    private async Task<int> CountAsync()
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.CountAsync();
    }
}

public sealed class SqliteKeysAuditTests(SqliteApp app) : KeysAuditTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysAuditTests(PostgreSqlApp app) : KeysAuditTests(app), IClassFixture<PostgreSqlApp>;
