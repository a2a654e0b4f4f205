using System.Net;
using System.Net.Http.Json;
using Portal.Api.Keys;
using Portal.Core.Keys;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>The management API's successful outcomes, over real HTTP.</summary>
public abstract class KeysApi200Tests(PortalApp app)
{
    [Fact]
    public async Task Create_ValidRequest_Returns201WithTokenOnce()
    {
        var user = await app.NewUserAsync();
        var expiresAt = app.Clock.GetUtcNow().AddDays(30);

        var response = await (await app.LiveClientAsync(user)).PostAsJsonAsync("/api/v1/keys", new
        {
            name = "  billing service  ",
            description = "nightly invoices",
            environment = "live",
            scopes = new[] { "orders:read", "invoices:*", "orders:read" },
            expiresAt,
        });

        var created = await response.ReadAsync<IssuedKeyResponse>(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/keys/{created.Key.Id}", response.Headers.Location?.OriginalString);
        Assert.True(ApiKeyToken.TryParse(created.Token, out var prefix));
        Assert.Equal("pk_live", prefix.ToString());
        var key = created.Key;
        Assert.Equal("billing service", key.Name);
        Assert.Equal("nightly invoices", key.Description);
        Assert.Equal(KeyEnvironment.Live, key.Environment);
        Assert.Equal(KeyStatus.Active, key.Status);
        Assert.Equal(["invoices:*", "orders:read"], key.Scopes);
        Assert.Equal(user.User.Id, key.OwnerId);
        Assert.Equal(user.OrganizationId, key.OrganizationId);
        Assert.Equal(ApiKeyToken.Hint(created.Token), key.Hint);
        Assert.Equal(expiresAt, key.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Null(key.RevokedAt);
        var token = Assert.Single(key.Tokens!);
        Assert.Equal(key.Hint, token.Hint);
        Assert.Null(token.RetiresAt);
    }

    [Fact]
    public async Task Create_DefaultEnvironment_IsTestWithTestPrefix()
    {
        var user = await app.NewUserAsync();

        var created = await user.Client.CreateKeyAsync("defaults");

        Assert.Equal(KeyEnvironment.Test, created.Key.Environment);
        Assert.StartsWith("pk_test_", created.Token, StringComparison.Ordinal);
        Assert.Empty(created.Key.Scopes);
        Assert.Null(created.Key.ExpiresAt);
    }

    [Fact]
    public async Task Create_NewToken_AuthenticatesAtOnce()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("second manager", "keys:manage");

        var response = await app.ClientWith(created.Token).GetAsync("/api/v1/keys");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Create_SameNameForAnotherUser_IsAllowed()
    {
        var first = await app.NewUserAsync();
        var second = await app.NewUserAsync();

        await first.Client.CreateKeyAsync("shared name");
        await second.Client.CreateKeyAsync("shared name");
    }

    [Fact]
    public async Task Get_OwnKey_ReturnsKeyAndTokenHistoryWithoutToken()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("to fetch", "orders:read");

        var response = await user.Client.GetAsync($"/api/v1/keys/{created.Key.Id}");

        var body = await response.Content.ReadAsStringAsync();
        var key = await response.ReadAsync<KeyResponse>(HttpStatusCode.OK);
        Assert.Equal(created.Key.Id, key.Id);
        Assert.Equal("to fetch", key.Name);
        Assert.Equal(["orders:read"], key.Scopes);
        Assert.Single(key.Tokens!);
        Assert.DoesNotContain(created.Token, body, StringComparison.Ordinal);
        Assert.DoesNotContain("token\"", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task List_SeveralPages_ReturnsEveryKeyOnceNewestFirst()
    {
        var user = await app.NewUserAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 11; i++)
        {
            created.Add((await user.Client.CreateKeyAsync($"paged {i}")).Key.Id);
            if (i % 3 == 0)
            {
                // Some keys share a creation instant, some do not: the cursor must handle both.
                app.Clock.Advance(TimeSpan.FromMilliseconds(5));
            }
        }

        var seen = new List<KeyResponse>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var url = "/api/v1/keys?limit=4" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await (await user.Client.GetAsync(url)).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);
            Assert.InRange(page.Items.Count, 1, 4);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        // 11 keys plus the management key the user was given: pages of 4, 4 and 4.
        Assert.Equal(3, pages);
        Assert.Equal(12, seen.Count);
        Assert.Equal(12, seen.Select(k => k.Id).Distinct().Count());
        Assert.Subset(seen.Select(k => k.Id).ToHashSet(), created.ToHashSet());
        Assert.Equal(seen.OrderByDescending(k => k.CreatedAt).Select(k => k.CreatedAt), seen.Select(k => k.CreatedAt));
        Assert.Equal("management", seen[^1].Name);
    }

    [Fact]
    public async Task List_LastPageExactlyFull_HasNoNextCursor()
    {
        var user = await app.NewUserAsync();
        await user.Client.CreateKeyAsync("one more");

        var page = await (await user.Client.GetAsync("/api/v1/keys?limit=2")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);

        Assert.Equal(2, page.Items.Count);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task List_Search_ReturnsOnlyMatchingNames()
    {
        var user = await app.NewUserAsync();
        await user.Client.CreateKeyAsync("orders reader");
        await user.Client.CreateKeyAsync("orders writer");
        await user.Client.CreateKeyAsync("invoices");

        var page = await (await user.Client.GetAsync("/api/v1/keys?search=orders")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);

        Assert.Equal(["orders reader", "orders writer"], page.Items.Select(k => k.Name).Order());
    }

    [Theory]
    [InlineData("revoked")]
    [InlineData("Revoked")]
    public async Task List_StatusFilter_ReturnsOnlyKeysInThatStatus(string status)
    {
        var user = await app.NewUserAsync();
        var kept = await user.Client.CreateKeyAsync("kept");
        var revoked = await user.Client.CreateKeyAsync("revoked");
        (await user.Client.PostAsync($"/api/v1/keys/{revoked.Key.Id}/revoke", null)).EnsureSuccessStatusCode();

        var revokedPage = await (await user.Client.GetAsync($"/api/v1/keys?status={status}")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);
        var activePage = await (await user.Client.GetAsync("/api/v1/keys?status=active")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);

        Assert.Equal([revoked.Key.Id], revokedPage.Items.Select(k => k.Id));
        Assert.Contains(activePage.Items, k => k.Id == kept.Key.Id);
        Assert.DoesNotContain(activePage.Items, k => k.Id == revoked.Key.Id);
        Assert.All(activePage.Items, k => Assert.Equal(KeyStatus.Active, k.Status));
    }

    [Fact]
    public async Task Update_AllFields_Returns200AndPersists()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("before", "orders:read");
        var expiresAt = app.Clock.GetUtcNow().AddDays(10);

        var updated = await (await user.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new
        {
            name = "after",
            description = "now described",
            scopes = new[] { "orders:write", "orders:read" },
            expiresAt,
        })).ReadAsync<KeyResponse>(HttpStatusCode.OK);

        var fetched = await (await user.Client.GetAsync($"/api/v1/keys/{created.Key.Id}")).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        foreach (var key in new[] { updated, fetched })
        {
            Assert.Equal("after", key.Name);
            Assert.Equal("now described", key.Description);
            Assert.Equal(["orders:read", "orders:write"], key.Scopes);
            Assert.Equal(expiresAt, key.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
            Assert.Equal(created.Key.Hint, key.Hint);
        }
    }

    [Fact]
    public async Task Update_OnlyDescription_LeavesOtherFields()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync(new { name = "partial", scopes = new[] { "orders:read" }, expiresAt = app.Clock.GetUtcNow().AddDays(1) });

        var updated = await (await user.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { description = "only this" }))
            .ReadAsync<KeyResponse>(HttpStatusCode.OK);

        Assert.Equal("partial", updated.Name);
        Assert.Equal("only this", updated.Description);
        Assert.Equal(["orders:read"], updated.Scopes);
        Assert.NotNull(updated.ExpiresAt);
    }

    [Fact]
    public async Task Update_RemoveExpiry_ClearsIt()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync(new { name = "expiring", expiresAt = app.Clock.GetUtcNow().AddDays(1) });

        var updated = await (await user.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { removeExpiry = true }))
            .ReadAsync<KeyResponse>(HttpStatusCode.OK);

        Assert.Null(updated.ExpiresAt);
    }

    [Fact]
    public async Task Update_ScopesWithoutKeysManage_TakesEffectOnNextRequest()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("demoted", "keys:manage");
        var demoted = app.ClientWith(created.Token);
        Assert.Equal(HttpStatusCode.OK, (await demoted.GetAsync("/api/v1/keys")).StatusCode);

        (await user.Client.PatchAsJsonAsync($"/api/v1/keys/{created.Key.Id}", new { scopes = new[] { "orders:read" } })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Forbidden, (await demoted.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task Rotate_WithGrace_BothTokensAuthenticateUntilGraceEndsThenOnlyNew()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("rotated", "keys:manage");

        var rotated = await (await user.Client.PostAsJsonAsync($"/api/v1/keys/{created.Key.Id}/rotate", new { gracePeriodSeconds = 3600 }))
            .ReadAsync<IssuedKeyResponse>(HttpStatusCode.OK);

        Assert.Equal(created.Key.Id, rotated.Key.Id);
        Assert.NotEqual(created.Token, rotated.Token);
        Assert.True(ApiKeyToken.TryParse(rotated.Token, out _));
        Assert.Equal(ApiKeyToken.Hint(rotated.Token), rotated.Key.Hint);
        Assert.Equal(2, rotated.Key.Tokens!.Count);
        var old = Assert.Single(rotated.Key.Tokens, t => t.Hint == created.Key.Hint);
        Assert.Equal(app.Clock.GetUtcNow().AddHours(1), old.RetiresAt!.Value, TimeSpan.FromMilliseconds(1));

        var oldClient = app.ClientWith(created.Token);
        var newClient = app.ClientWith(rotated.Token);
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/api/v1/keys")).StatusCode);

        app.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/api/v1/keys")).StatusCode);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var refused = await (await oldClient.GetAsync("/api/v1/keys")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("EXPIRED", refused.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task Rotate_NoBody_EndsOldTokenAtOnce()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("rotated now", "keys:manage");

        var rotated = await (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/rotate", null)).ReadAsync<IssuedKeyResponse>(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWith(created.Token).GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWith(rotated.Token).GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task Rotate_GraceZero_EndsOldTokenAtOnce()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("rotated at zero", "keys:manage");

        var rotated = await (await user.Client.PostAsJsonAsync($"/api/v1/keys/{created.Key.Id}/rotate", new { gracePeriodSeconds = 0 }))
            .ReadAsync<IssuedKeyResponse>(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWith(created.Token).GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWith(rotated.Token).GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task Revoke_Key_Returns200AndIsRefusedOnNextRequest()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("revoked", "keys:manage");
        var client = app.ClientWith(created.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys")).StatusCode);

        var revoked = await (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null)).ReadAsync<KeyResponse>(HttpStatusCode.OK);

        Assert.Equal(KeyStatus.Revoked, revoked.Status);
        Assert.Equal(app.Clock.GetUtcNow(), revoked.RevokedAt!.Value, TimeSpan.FromMilliseconds(1));
        var refused = await (await client.GetAsync("/api/v1/keys")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("REVOKED", refused.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Revoke_OwnCallingKey_IsRefusedOnNextRequest()
    {
        var user = await app.NewUserAsync();
        var page = await (await user.Client.GetAsync("/api/v1/keys")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);
        var management = Assert.Single(page.Items);

        (await user.Client.PostAsync($"/api/v1/keys/{management.Id}/revoke", null)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task Revoke_Twice_IsIdempotent()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("revoked twice");
        var first = await (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null)).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var second = await (await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null)).ReadAsync<KeyResponse>(HttpStatusCode.OK);

        Assert.Equal(KeyStatus.Revoked, second.Status);
        // The first answer carries the instant as set, the second as stored (SQLite keeps less precision).
        Assert.Equal(first.RevokedAt!.Value, second.RevokedAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task AnyEndpoint_KeyInXApiKeyHeader_Authenticates()
    {
        var user = await app.NewUserAsync();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", user.ManageToken);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task AnyEndpoint_WildcardScope_SatisfiesKeysManage()
    {
        var user = await app.NewUserAsync();
        var wildcard = await user.Client.CreateKeyAsync("wildcard", "keys:*");

        Assert.Equal(HttpStatusCode.OK, (await app.ClientWith(wildcard.Token).GetAsync("/api/v1/keys")).StatusCode);
    }
}

public sealed class SqliteKeysApi200Tests(SqliteApp app) : KeysApi200Tests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysApi200Tests(PostgreSqlApp app) : KeysApi200Tests(app), IClassFixture<PostgreSqlApp>;
