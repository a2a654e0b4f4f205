using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api.Keys;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>
/// Tenant isolation: another tenant's key answers exactly like a key that does not exist, on every
/// endpoint, and stays untouched.
/// </summary>
public abstract class KeysApi404Tests(PortalApp app)
{
    public static TheoryData<string, string> ChangingRequests => new()
    {
        { "GET", "" },
        { "PATCH", """{"name":"hijacked","scopes":["keys:manage"]}""" },
        { "POST /rotate", """{"gracePeriodSeconds":0}""" },
        { "POST /revoke", "" },
    };

    [Theory]
    [MemberData(nameof(ChangingRequests))]
    public async Task AnyKeyEndpoint_AnotherUsersKey_Returns404LikeAMissingKey(string endpoint, string body)
    {
        var alice = await app.NewUserAsync();
        var bob = await app.NewUserAsync();
        var bobs = await bob.Client.CreateKeyAsync("bob's key", "keys:manage");

        var foreign = await alice.Client.SendAsync(Request(endpoint, bobs.Key.Id, body));
        var missing = await alice.Client.SendAsync(Request(endpoint, Guid.CreateVersion7(), body));

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(missing.Content.Headers.ContentType?.MediaType, foreign.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("bob", await foreign.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        await AssertUntouchedAsync(bob, bobs);
    }

    [Fact]
    public async Task List_AnotherUsersKeys_AreAbsent()
    {
        var alice = await app.NewUserAsync();
        var bob = await app.NewUserAsync();
        var bobs = await bob.Client.CreateKeyAsync("bob only");

        var all = await (await alice.Client.GetAsync("/api/v1/keys?limit=100")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);
        var searched = await (await alice.Client.GetAsync("/api/v1/keys?search=bob")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);
        var active = await (await alice.Client.GetAsync("/api/v1/keys?status=active&limit=100")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);

        Assert.Equal(["management"], all.Items.Select(k => k.Name));
        Assert.All(all.Items, k => Assert.Equal(alice.User.Id, k.OwnerId));
        Assert.Empty(searched.Items);
        Assert.DoesNotContain(active.Items, k => k.Id == bobs.Key.Id);
    }

    [Fact]
    public async Task List_CursorFromAnotherTenant_ShowsOnlyOwnKeys()
    {
        var alice = await app.NewUserAsync();
        var bob = await app.NewUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await bob.Client.CreateKeyAsync($"bob {i}");
        }

        var bobsPage = await (await bob.Client.GetAsync("/api/v1/keys?limit=1")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);
        var alicesPage = await (await alice.Client.GetAsync($"/api/v1/keys?cursor={bobsPage.NextCursor}")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);

        Assert.All(alicesPage.Items, k => Assert.Equal(alice.User.Id, k.OwnerId));
    }

    [Fact]
    public async Task Create_SameNameAsAnotherUsersKey_DoesNotRevealIt()
    {
        var alice = await app.NewUserAsync();
        var bob = await app.NewUserAsync();
        await bob.Client.CreateKeyAsync("common name");

        var created = await alice.Client.CreateKeyAsync("common name");

        Assert.Equal(alice.User.Id, created.Key.OwnerId);
    }

    [Fact]
    public async Task AnyKeyEndpoint_KeyOfTheSameUsersOtherOrganization_Returns404()
    {
        // The calling key is bound to its own organization, even for a user who belongs to several.
        var alice = await app.NewUserAsync();
        Guid otherKeyId;
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var enterprise = new Organization { Name = "Acme", CreatedAt = app.Clock.GetUtcNow() };
            db.Organizations.Add(enterprise);
            db.Memberships.Add(new Membership { OrganizationId = enterprise.Id, UserId = alice.User.Id, Role = OrganizationRole.Owner, CreatedAt = app.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
            var issued = await scope.ServiceProvider.GetRequiredService<KeyCatalog>().CreateAsync(
                alice.Caller(), new CreateKeyCommand("acme key", OrganizationId: enterprise.Id));
            otherKeyId = issued.Key.Id;
        }

        foreach (var (endpoint, body) in new[] { ("GET", ""), ("PATCH", """{"name":"x"}"""), ("POST /rotate", "{}"), ("POST /revoke", "") })
        {
            var response = await alice.Client.SendAsync(Request(endpoint, otherKeyId, body));
            Assert.True(HttpStatusCode.NotFound == response.StatusCode, $"{endpoint}: {(int)response.StatusCode}");
        }

        var page = await (await alice.Client.GetAsync("/api/v1/keys")).ReadAsync<KeyPageResponse>(HttpStatusCode.OK);
        Assert.DoesNotContain(page.Items, k => k.Id == otherKeyId);
    }

    [Theory]
    [InlineData("/api/v1/keys/not-a-guid")]
    [InlineData("/api/v1/keys/12345")]
    public async Task Get_IdThatIsNotAGuid_Returns404(string path)
    {
        var alice = await app.NewUserAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await alice.Client.GetAsync(path)).StatusCode);
    }

    private static HttpRequestMessage Request(string endpoint, Guid id, string body)
    {
        var (method, suffix) = endpoint switch
        {
            "GET" => ("GET", ""),
            "PATCH" => ("PATCH", ""),
            "POST /rotate" => ("POST", "/rotate"),
            "POST /revoke" => ("POST", "/revoke"),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        return new HttpRequestMessage(new HttpMethod(method), $"/api/v1/keys/{id}{suffix}")
        {
            Content = body.Length == 0 ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
    }

    private static async Task AssertUntouchedAsync(TestUser owner, IssuedKeyResponse issued)
    {
        var key = await (await owner.Client.GetAsync($"/api/v1/keys/{issued.Key.Id}")).ReadAsync<KeyResponse>(HttpStatusCode.OK);
        Assert.Equal(issued.Key.Name, key.Name);
        Assert.Equal(issued.Key.Scopes, key.Scopes);
        Assert.Equal(KeyStatus.Active, key.Status);
        Assert.Single(key.Tokens!);
        Assert.Equal(issued.Key.UpdatedAt, key.UpdatedAt, TimeSpan.FromMilliseconds(1));
    }
}

public sealed class SqliteKeysApi404Tests(SqliteApp app) : KeysApi404Tests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysApi404Tests(PostgreSqlApp app) : KeysApi404Tests(app), IClassFixture<PostgreSqlApp>;
