using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>
/// A stolen key holding only <c>keys:manage</c>, whose owner is an admin: every escalation through it is
/// refused with a message and writes nothing; <c>keys:admin</c> is what reaches other members' keys.
/// </summary>
public abstract class KeysApiAttenuationTests(PortalApp app)
{
    [Fact]
    public async Task StolenKeysManageKey_EveryEscalation_RefusedAndNothingWritten()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var theirs = await developer.Client.CreateKeyAsync("developer's", "orders:read");
        var stolen = await KeyAsync(org.Owner, org.Id, "ci", ["keys:manage"], expiresAt: app.Clock.GetUtcNow().AddDays(10));
        var ci = app.ClientWith(stolen.Token);
        var before = await CountsAsync(org.Id);

        await AssertRefusedAsync(await ci.PostAsJsonAsync("/api/v1/keys", new { name = "root", scopes = new[] { "*:*" } }), HttpStatusCode.Forbidden, "*:*");
        await AssertRefusedAsync(await ci.PostAsJsonAsync("/api/v1/keys", new { name = "forever", scopes = new[] { "keys:manage" } }), HttpStatusCode.Forbidden, "expire");
        await AssertRefusedAsync(await ci.PatchAsJsonAsync($"/api/v1/keys/{stolen.Key.Id}", new { scopes = new[] { "keys:manage", "orders:admin" } }), HttpStatusCode.Forbidden, "own");
        await AssertRefusedAsync(await ci.PatchAsJsonAsync($"/api/v1/keys/{stolen.Key.Id}", new { expiresAt = app.Clock.GetUtcNow().AddDays(300) }), HttpStatusCode.Forbidden, "own");
        await AssertRefusedAsync(await ci.PostAsJsonAsync($"/api/v1/keys/{theirs.Key.Id}/rotate", new { gracePeriodSeconds = 30 * 86400 }), HttpStatusCode.NotFound, null);
        await AssertRefusedAsync(await ci.PatchAsJsonAsync($"/api/v1/keys/{theirs.Key.Id}", new { scopes = new[] { "orders:write" } }), HttpStatusCode.NotFound, null);
        await AssertRefusedAsync(await ci.GetAsync($"/api/v1/keys/{theirs.Key.Id}"), HttpStatusCode.NotFound, null);
        var listed = await (await ci.GetAsync("/api/v1/keys")).ReadAsync<Portal.Api.Keys.KeyPageResponse>(HttpStatusCode.OK);

        Assert.DoesNotContain(listed.Items, k => k.Id == theirs.Key.Id);
        Assert.Equal(before, await CountsAsync(org.Id));
    }

    [Fact]
    public async Task KeysManageKey_WithinItsOwnGrants_CreatesAndChangesTheOwnersKeys()
    {
        var org = await app.NewOrganizationAsync();
        var end = app.Clock.GetUtcNow().AddDays(10);
        var ci = app.ClientWith((await KeyAsync(org.Owner, org.Id, "ci", ["keys:manage", "orders:read", "orders:write"], end)).Token);

        using var created = await ci.PostAsJsonAsync("/api/v1/keys", new { name = "deploy", scopes = new[] { "orders:read" }, expiresAt = end.AddHours(-1) });
        var id = (await created.ReadJsonAsync()).GetProperty("key").GetProperty("id").GetGuid();
        using var narrowed = await ci.PatchAsJsonAsync($"/api/v1/keys/{id}", new { scopes = new[] { "orders:write" } });
        using var widened = await ci.PatchAsJsonAsync($"/api/v1/keys/{id}", new { scopes = new[] { "orders:admin" } });
        using var outlives = await ci.PatchAsJsonAsync($"/api/v1/keys/{id}", new { expiresAt = end.AddDays(1) });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        await AssertRefusedAsync(widened, HttpStatusCode.Forbidden, "orders:admin");
        await AssertRefusedAsync(outlives, HttpStatusCode.Forbidden, "expire");
    }

    [Fact]
    public async Task KeysAdminKey_RotatesAnotherMembersKey_ReceivesTheToken_AuditedWithBothIdentities()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var theirs = await developer.Client.CreateKeyAsync("developer's", "orders:read");
        var acting = await KeyAsync(org.Owner, org.Id, "key admin", ["keys:manage", "keys:admin", "orders:read"]);
        var weaker = await KeyAsync(org.Owner, org.Id, "key admin without orders", ["keys:admin"]);

        using var refused = await app.ClientWith(weaker.Token).PostAsJsonAsync($"/api/v1/keys/{theirs.Key.Id}/rotate", new { gracePeriodSeconds = 0 });
        using var rotated = await app.ClientWith(acting.Token).PostAsJsonAsync($"/api/v1/keys/{theirs.Key.Id}/rotate", new { gracePeriodSeconds = 0 });

        // The weaker key may reach the key but would receive a token for more than it holds.
        await AssertRefusedAsync(refused, HttpStatusCode.Forbidden, "orders:read");
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.StartsWith("pk_", (await rotated.ReadJsonAsync()).GetProperty("token").GetString());
        await using var scope = app.Scope();
        var record = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditRecords.AsNoTracking()
            .SingleAsync(a => a.Action == AuditActions.KeyRotated && a.TargetId == theirs.Key.Id.ToString());
        Assert.Equal(org.Owner.User.Id, record.ActorId);
        Assert.Contains(acting.Key.Id.ToString(), record.Details);
        Assert.Contains(developer.User.Id.ToString(), record.Details);
    }

    [Fact]
    public async Task KeysAdmin_LimitedToResourcesOrOutsideItsWindow_DoesNotReachAnotherMembersKey_AndSaysNothingOfIt()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var theirs = await developer.Client.CreateKeyAsync("developer's", "orders:read");
        var closed = new AccessSchedule(NotBefore: app.Clock.GetUtcNow().AddDays(1));
        var limited = await KeyAsync(org.Owner, org.Id, "limited", ["keys:manage", "orders:read"], grants: [new Grant("keys:admin", ["key/none"])]);
        var later = await KeyAsync(org.Owner, org.Id, "later", ["keys:manage", "orders:read"], grants: [new Grant("keys:admin", Schedule: closed)]);

        foreach (var acting in new[] { limited, later })
        {
            var client = app.ClientWith(acting.Token);
            var listed = await (await client.GetAsync("/api/v1/keys")).ReadAsync<Portal.Api.Keys.KeyPageResponse>(HttpStatusCode.OK);

            Assert.DoesNotContain(listed.Items, k => k.Id == theirs.Key.Id);
            await AssertRefusedAsync(await client.GetAsync($"/api/v1/keys/{theirs.Key.Id}"), HttpStatusCode.NotFound, null);
            await AssertRefusedAsync(await client.PostAsync($"/api/v1/keys/{theirs.Key.Id}/revoke", null), HttpStatusCode.NotFound, null);
        }

        Assert.Equal(KeyStatus.Active, (await app.ReadKeyAsync(theirs.Key.Id)).Status);
    }

    [Fact]
    public async Task TestKey_CannotCreateOrRotateLiveKeys()
    {
        var org = await app.NewOrganizationAsync();
        var testKey = await KeyAsync(org.Owner, org.Id, "test ci", ["keys:manage", "orders:read"]);
        var liveKey = await KeyAsync(org.Owner, org.Id, "live", ["orders:read"], environment: KeyEnvironment.Live);
        var client = app.ClientWith(testKey.Token);

        using var created = await client.PostAsJsonAsync("/api/v1/keys", new { name = "live from test", environment = "live", scopes = new[] { "orders:read" } });
        using var rotated = await client.PostAsJsonAsync($"/api/v1/keys/{liveKey.Key.Id}/rotate", new { gracePeriodSeconds = 0 });

        var problem = await created.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("INSUFFICIENT_SCOPE", problem.GetProperty("code").GetString());
        await AssertRefusedAsync(rotated, HttpStatusCode.Forbidden, "test key");
    }

    [Fact]
    public async Task MaximumLifetime_IsMeasuredFromCreation_NotFromNow()
    {
        var org = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(org, new PolicySettings(MaxKeyLifetimeDays: 30));
        var created = app.Clock.GetUtcNow();
        var key = await KeyAsync(org.Owner, org.Id, "short-lived", ["orders:read"], created.AddDays(30));
        app.Clock.Advance(TimeSpan.FromDays(20));

        await using var scope = app.Scope();
        var keys = scope.ServiceProvider.GetRequiredService<KeyCatalog>();
        var pushed = await Assert.ThrowsAsync<Portal.Core.InvalidRequestException>(() => keys.UpdateAsync(org.Owner.Caller(), key.Key.Id, new UpdateKeyCommand(ExpiresAt: created.AddDays(45))));
        var shortened = await keys.UpdateAsync(org.Owner.Caller(), key.Key.Id, new UpdateKeyCommand(ExpiresAt: created.AddDays(25)));

        Assert.Contains("expiresAt", pushed.Errors.Keys);
        Assert.Equal(created.AddDays(25), shortened!.ExpiresAt);
    }

    private async Task<IssuedKey> KeyAsync(TestUser owner, Guid organizationId, string name, string[] scopes, DateTimeOffset? expiresAt = null, Grant[]? grants = null, KeyEnvironment environment = KeyEnvironment.Test)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
            owner.Caller(), new CreateKeyCommand(name, Environment: environment, Scopes: scopes, Grants: grants, OrganizationId: organizationId, ExpiresAt: expiresAt));
    }

    private async Task<(int Keys, int Secrets, int Audit)> CountsAsync(Guid organizationId)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return (
            await db.ApiKeys.CountAsync(k => k.OrganizationId == organizationId),
            await db.ApiKeySecrets.CountAsync(s => db.ApiKeys.Any(k => k.Id == s.ApiKeyId && k.OrganizationId == organizationId)),
            await db.AuditRecords.CountAsync(a => a.OrganizationId == organizationId));
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string? mentions)
    {
        var problem = await response.ReadProblemAsync(status);
        if (mentions is not null)
        {
            Assert.Contains(mentions, problem.GetProperty("title").GetString() + " " + (problem.TryGetProperty("detail", out var detail) ? detail.GetString() : ""), StringComparison.OrdinalIgnoreCase);
        }
    }
}

public sealed class SqliteKeysApiAttenuationTests(SqliteApp app) : KeysApiAttenuationTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysApiAttenuationTests(PostgreSqlApp app) : KeysApiAttenuationTests(app), IClassFixture<PostgreSqlApp>;
