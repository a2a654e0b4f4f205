using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Api.Keys;
using Portal.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Keys;

public abstract class KeysLifecycleTests(PortalApp app)
{
    protected static readonly JsonSerializerOptions Json = CreateJson();

    [Fact]
    public async Task Create_ThenGetAndList_ReturnsKeyWithoutToken()
    {
        var user = await app.NewUserAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/keys", new { name = "orders service", scopes = new[] { "orders:read" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<IssuedKeyResponse>(Json))!;
        Assert.StartsWith("pk_test_", created.Token);
        Assert.Equal(["orders:read"], created.Key.Scopes);

        var fetched = await user.Client.GetFromJsonAsync<KeyResponse>($"/api/v1/keys/{created.Key.Id}", Json);
        Assert.Equal("orders service", fetched!.Name);
        Assert.DoesNotContain(created.Token, await user.Client.GetStringAsync($"/api/v1/keys/{created.Key.Id}"));

        var page = await user.Client.GetFromJsonAsync<KeyPageResponse>("/api/v1/keys", Json);
        Assert.Contains(page!.Items, k => k.Id == created.Key.Id);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PortalServices.ConfigurePortalJson(json);
        json.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        return json;
    }
}

public sealed class SqliteKeysLifecycleTests(SqliteApp app) : KeysLifecycleTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlKeysLifecycleTests(PostgreSqlApp app) : KeysLifecycleTests(app), IClassFixture<PostgreSqlApp>;
