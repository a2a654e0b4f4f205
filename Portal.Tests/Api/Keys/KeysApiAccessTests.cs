using System.Net;
using System.Net.Http.Json;
using Portal.Core.Access;
using Portal.Core.Organizations;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Tests.Api.Keys;

/// <summary>Keys with grants, schedules and permission sets through the API, and no escalation.</summary>
public abstract class KeysApiAccessTests(DoorApp app)
{
    [Fact]
    public async Task Create_WithGrantsScheduleAndSet_ReturnsThemAndTheyWork()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await app.JoinAsync(org, OrganizationRole.Admin);
        var set = await CreateSetAsync(org, "Readers", new Grant("orders:read"));

        using var response = await admin.Client.PostAsJsonAsync("/api/v1/keys", new
        {
            name = "full",
            grants = new[] { new { scope = "assets:read", resources = new[] { "asset/eu-*" } } },
            schedule = new { timeZone = "Europe/Berlin", windows = new[] { new { days = new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" }, start = "00:00", end = "24:00" } } },
            permissionSets = new[] { set.Id },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = (await response.ReadJsonAsync()).GetProperty("key");
        Assert.Equal("asset/eu-*", key.GetProperty("grants")[0].GetProperty("resources")[0].GetString());
        Assert.Equal("Europe/Berlin", key.GetProperty("schedule").GetProperty("timeZone").GetString());
        Assert.Equal("Readers", key.GetProperty("permissionSets")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("orders:admin")]
    [InlineData("orders:*")]
    [InlineData("*:*")]
    public async Task Developer_GrantingAdministrativeScope_Gets400NamingScopes(string scope)
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);

        using var direct = await developer.Client.PostAsJsonAsync("/api/v1/keys", new { name = "mine", scopes = new[] { scope } });
        using var granted = await developer.Client.PostAsJsonAsync("/api/v1/keys", new { name = "mine too", grants = new[] { new { scope } } });

        await AssertFieldAsync(direct, "scopes");
        await AssertFieldAsync(granted, "grants[0].scope");
    }

    [Fact]
    public async Task Developer_AssigningAdministrativeSet_OrWideningTheirKey_IsRefused()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var powerful = await CreateSetAsync(org, "Admins", new Grant("orders:admin"));
        using var created = await developer.Client.PostAsJsonAsync("/api/v1/keys", new { name = "reader", scopes = new[] { "orders:read" } });
        var id = (await created.ReadJsonAsync()).GetProperty("key").GetProperty("id").GetGuid();

        using var withSet = await developer.Client.PostAsJsonAsync("/api/v1/keys", new { name = "sneaky", permissionSets = new[] { powerful.Id } });
        using var widened = await developer.Client.PatchAsJsonAsync($"/api/v1/keys/{id}", new { scopes = new[] { "orders:admin" } });

        await AssertFieldAsync(withSet, "permissionSets");
        await AssertFieldAsync(widened, "scopes");
    }

    [Fact]
    public async Task Admin_CannotGiveADevelopersKeyMoreThanTheDevelopersRoleMayHold()
    {
        var org = await app.NewOrganizationAsync();
        var developer = await app.JoinAsync(org, OrganizationRole.Developer);
        var admin = await app.JoinAsync(org, OrganizationRole.Admin);
        var powerful = await CreateSetAsync(org, "Order admins", new Grant("orders:admin"));
        using var created = await developer.Client.PostAsJsonAsync("/api/v1/keys", new { name = "service", scopes = new[] { "orders:read" } });
        var id = (await created.ReadJsonAsync()).GetProperty("key").GetProperty("id").GetGuid();

        // A key acts with at most its owner's role: admin actions on a developer's key would be refused at once.
        using var scopes = await admin.Client.PatchAsJsonAsync($"/api/v1/keys/{id}", new { scopes = new[] { "orders:read", "invoices:admin" } });
        using var set = await admin.Client.PatchAsJsonAsync($"/api/v1/keys/{id}", new { permissionSets = new[] { powerful.Id } });
        using var widened = await admin.Client.PatchAsJsonAsync($"/api/v1/keys/{id}", new { scopes = new[] { "orders:read", "invoices:write" } });

        var message = await AssertFieldAsync(scopes, "scopes");
        Assert.Contains("invoices:admin", message);
        Assert.Contains("owner is a developer", message);
        await AssertFieldAsync(set, "permissionSets");
        Assert.Equal(HttpStatusCode.OK, widened.StatusCode);
    }

    [Fact]
    public async Task Admin_MayGrantAdministrativeScopes()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await app.JoinAsync(org, OrganizationRole.Admin);

        using var response = await admin.Client.PostAsJsonAsync("/api/v1/keys", new { name = "powerful", scopes = new[] { "orders:admin", "*:read" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Create_ScopeOutsideARegisteredCatalog_Gets400NamingTheResource()
    {
        var org = await app.NewOrganizationAsync();
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<AccessCatalog>().AddResourceAsync(org.Owner.Caller(), org.Id, "orders", null, ["refund"]);
        }

        var admin = await app.JoinAsync(org, OrganizationRole.Admin);
        using var unknownResource = await admin.Client.PostAsJsonAsync("/api/v1/keys", new { name = "ghost", scopes = new[] { "ghosts:read" } });
        using var unknownAction = await admin.Client.PostAsJsonAsync("/api/v1/keys", new { name = "odd", scopes = new[] { "orders:cancel" } });
        using var known = await admin.Client.PostAsJsonAsync("/api/v1/keys", new { name = "fine", scopes = new[] { "orders:refund", "orders:read", "keys:verify" } });

        Assert.Contains("ghosts", (await AssertFieldAsync(unknownResource, "scopes")));
        Assert.Contains("cancel", (await AssertFieldAsync(unknownAction, "scopes")));
        Assert.Equal(HttpStatusCode.Created, known.StatusCode);
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"grants\":[{\"scope\":\"orders:read\",\"resources\":[\"eu\"]}]}", "grants[0].resources[0]")]
    [InlineData("{\"name\":\"x\",\"grants\":[{\"scope\":\"orders:read\",\"resources\":[\"asset/eu-1/../../us-1\"]}]}", "grants[0].resources[0]")]
    [InlineData("{\"name\":\"x\",\"schedule\":{\"timeZone\":\"Not/AZone\"}}", "schedule.timeZone")]
    [InlineData("{\"name\":\"x\",\"schedule\":{\"timeZone\":\"UTC\",\"windows\":[{\"days\":[\"mon\"],\"start\":\"10:00\",\"end\":\"09:00\"}]}}", "schedule.windows[0].end")]
    [InlineData("{\"name\":\"x\",\"permissionSets\":[\"6f1c1d2e-0000-4000-8000-000000000000\"]}", "permissionSets")]
    public async Task Create_BadAccess_Gets400NamingTheField_AndNoKey(string body, string field)
    {
        var owner = await app.NewUserAsync();

        using var response = await owner.Client.PostAsync("/api/v1/keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await AssertFieldAsync(response, field);
        using var list = await owner.Client.GetAsync("/api/v1/keys");
        Assert.Single((await list.ReadJsonAsync()).GetProperty("items").EnumerateArray());
    }

    private async Task<PermissionSet> CreateSetAsync(TestOrganization org, string name, params Grant[] grants)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<PermissionSetCatalog>().CreateAsync(org.Owner.Caller(), org.Id, name, null, grants);
    }

    private static async Task<string> AssertFieldAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"Expected an error for '{field}': {errors}");
        return messages[0].GetString()!;
    }
}

public sealed class SqliteKeysApiAccessTests(SqliteDoorApp app) : KeysApiAccessTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlKeysApiAccessTests(PostgreSqlDoorApp app) : KeysApiAccessTests(app), IClassFixture<PostgreSqlDoorApp>;
