using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

/// <summary>Authenticated callers who may not do this: a key without <c>keys:manage</c>, a viewer.</summary>
public abstract class KeysApi403Tests(PortalApp app)
{
    public static TheoryData<string, string> Endpoints => KeysApi401Tests.Endpoints;

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task AnyEndpoint_KeyWithoutKeysManage_Returns403(string method, string path)
    {
        var user = await app.NewUserAsync();
        var reader = await user.Client.CreateKeyAsync("reader", "orders:read", "keys:verify");

        var response = await app.ClientWith(reader.Token).SendAsync(Request(method, path));

        await AssertForbiddenAsync(response);
    }

    [Theory]
    [InlineData("")]
    [InlineData("keys:verify")]
    [InlineData("keys:manage:own")]
    [InlineData("*:read")]
    [InlineData("keys:verify orders:*")]
    public async Task List_ScopesThatDoNotCoverKeysManage_Returns403(string scopes)
    {
        var user = await app.NewUserAsync();
        var key = await user.Client.CreateKeyAsync("limited", scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        await AssertForbiddenAsync(await app.ClientWith(key.Token).GetAsync("/api/v1/keys"));
    }

    [Fact]
    public async Task Create_KeyWithoutKeysManage_CreatesNothing()
    {
        var user = await app.NewUserAsync();
        var reader = await user.Client.CreateKeyAsync("reader", "orders:read");

        await AssertForbiddenAsync(await app.ClientWith(reader.Token).PostAsJsonAsync("/api/v1/keys", new { name = "escalated", scopes = new[] { "keys:manage" } }));

        var page = await (await user.Client.GetAsync("/api/v1/keys")).ReadAsync<Portal.Api.Keys.KeyPageResponse>(HttpStatusCode.OK);
        Assert.DoesNotContain(page.Items, k => k.Name == "escalated");
    }

    [Fact]
    public async Task Create_CallerDemotedToViewer_Returns403()
    {
        var user = await app.NewUserAsync();
        await SetRoleAsync(user, OrganizationRole.Viewer);

        var response = await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = "by a viewer" });

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Revoke_CallerDemotedToViewer_Returns403AndKeyStaysActive()
    {
        var user = await app.NewUserAsync();
        var created = await user.Client.CreateKeyAsync("kept", "keys:manage");
        await SetRoleAsync(user, OrganizationRole.Viewer);

        var response = await user.Client.PostAsync($"/api/v1/keys/{created.Key.Id}/revoke", null);

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWith(created.Token).GetAsync($"/api/v1/keys/{created.Key.Id}")).StatusCode);
    }

    private async Task SetRoleAsync(TestUser user, OrganizationRole role)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var membership = await db.Memberships.SingleAsync(m => m.UserId == user.User.Id && m.OrganizationId == user.OrganizationId);
        membership.Role = role;
        await db.SaveChangesAsync();
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "GET" ? null : JsonContent.Create(new { name = "never created" }),
    };

    private static async Task AssertForbiddenAsync(HttpResponseMessage response)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("INSUFFICIENT_SCOPE", problem.GetProperty("code").GetString());
        Assert.Empty(response.Headers.WwwAuthenticate);
    }
}

public sealed class SqliteKeysApi403Tests(SqliteApp app) : KeysApi403Tests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysApi403Tests(PostgreSqlApp app) : KeysApi403Tests(app), IClassFixture<PostgreSqlApp>;
