using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api.Organizations;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Organizations;

/// <summary><c>/api/v1/organizations/{id}/policies</c> and the policies' effect on the keys API, over real HTTP.</summary>
public abstract class PoliciesApiTests(PortalApp app)
{
    [Fact]
    public async Task Put_ByOwner_SavesAndGetReturnsIt()
    {
        var organization = await app.NewOrganizationAsync();
        var client = await app.ClientInAsync(organization.Owner, organization.Id);

        var saved = await (await client.PutAsJsonAsync($"/api/v1/organizations/{organization.Id}/policies",
            new { maxKeyLifetimeDays = 90, rotationIntervalDays = 30, defaultGraceHours = 1, maxGraceHours = 24, liveKeyCreators = "adminsOnly", disableUnusedAfterDays = 60 }))
            .ReadAsync<PolicyResponse>(HttpStatusCode.OK);
        var read = await (await client.GetAsync($"/api/v1/organizations/{organization.Id}/policies")).ReadAsync<PolicyResponse>(HttpStatusCode.OK);

        // Compared as JSON: the response holds lists, which records compare by reference.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(saved with { UpdatedAt = null }), System.Text.Json.JsonSerializer.Serialize(read with { UpdatedAt = null }));
        Assert.Equal((90, LiveKeyCreators.AdminsOnly), (read.MaxKeyLifetimeDays, read.LiveKeyCreators));
    }

    [Theory]
    [InlineData("maxKeyLifetimeDays", """{ "maxKeyLifetimeDays": 0 }""")]
    [InlineData("rotationIntervalDays", """{ "rotationIntervalDays": 99999 }""")]
    [InlineData("defaultGraceHours", """{ "defaultGraceHours": 48, "maxGraceHours": 24 }""")]
    [InlineData("maxGraceHours", """{ "maxGraceHours": -5 }""")]
    [InlineData("disableUnusedAfterDays", """{ "disableUnusedAfterDays": -1 }""")]
    [InlineData("liveKeyCreators", """{ "liveKeyCreators": "everyone" }""")]
    [InlineData("maxKeyLifetimeDays", """{ "maxKeyLifetimeDays": "ninety" }""")]
    public async Task Put_BadValue_Returns400NamingFieldAndSavesNothing(string field, string json)
    {
        var organization = await app.NewOrganizationAsync();
        var client = await app.ClientInAsync(organization.Owner, organization.Id);

        var response = await client.PutAsync($"/api/v1/organizations/{organization.Id}/policies", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.Errors().Keys);
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().OrganizationPolicies.AnyAsync(p => p.OrganizationId == organization.Id));
    }

    [Theory]
    [InlineData(OrganizationRole.Developer)]
    [InlineData(OrganizationRole.Viewer)]
    public async Task Put_ByNonAdmin_Returns403AndSavesNothing(OrganizationRole role)
    {
        var organization = await app.NewOrganizationAsync();
        var member = await app.NewMemberAsync(organization, role == OrganizationRole.Viewer ? OrganizationRole.Developer : role);
        var client = await app.ClientInAsync(member, organization.Id);
        if (role == OrganizationRole.Viewer)
        {
            // A viewer cannot create keys; demote the developer after their key exists.
            await using var demote = app.Scope();
            var db = demote.ServiceProvider.GetRequiredService<PortalDbContext>();
            (await db.Memberships.SingleAsync(m => m.OrganizationId == organization.Id && m.UserId == member.User.Id)).Role = OrganizationRole.Viewer;
            await db.SaveChangesAsync();
        }

        var response = await client.PutAsJsonAsync($"/api/v1/organizations/{organization.Id}/policies", new { liveKeyCreators = "anyDeveloper", maxKeyLifetimeDays = 1 });

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().OrganizationPolicies.AnyAsync(p => p.OrganizationId == organization.Id));
    }

    [Fact]
    public async Task PutAndGet_AnotherOrganization_Return404()
    {
        var mine = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var client = await app.ClientInAsync(mine.Owner, mine.Id);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/organizations/{other.Id}/policies")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync($"/api/v1/organizations/{other.Id}/policies", new { maxKeyLifetimeDays = 1 })).StatusCode);
    }

    [Fact]
    public async Task Put_KeyWithoutPoliciesManage_Returns403()
    {
        var organization = await app.NewOrganizationAsync();
        var client = await app.ClientInAsync(organization.Owner, organization.Id, "keys:manage");

        var response = await client.PutAsJsonAsync($"/api/v1/organizations/{organization.Id}/policies", new { maxKeyLifetimeDays = 1 });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_DeveloperLiveKeyUnderAdminsOnly_Returns400NamingEnvironment()
    {
        var organization = await app.NewOrganizationAsync();
        var developer = await app.NewMemberAsync(organization, OrganizationRole.Developer);
        var client = await app.ClientInAsync(developer, organization.Id, "keys:manage");
        await app.SetPolicyAsync(organization, new PolicySettings(MaxKeyLifetimeDays: 30, LiveKeyCreators: LiveKeyCreators.AdminsOnly));

        var response = await client.PostAsJsonAsync("/api/v1/keys", new { name = "live one", environment = "live" });

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.Contains("only admins", errors["environment"][0], StringComparison.Ordinal);
        Assert.Contains("within 30 days", errors["expiresAt"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateKey_GraceOverPolicy_Returns400NamingGracePeriod()
    {
        var organization = await app.NewOrganizationAsync();
        await app.SetPolicyAsync(organization, new PolicySettings(MaxGraceHours: 1));
        var client = await app.ClientInAsync(organization.Owner, organization.Id, "keys:manage", "orders:read");
        var key = await client.CreateKeyAsync("to rotate", "orders:read");

        var response = await client.PostAsJsonAsync($"/api/v1/keys/{key.Key.Id}/rotate", new { gracePeriodSeconds = 7200 });

        Assert.Contains("gracePeriod", (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors().Keys);
    }
}

public sealed class SqlitePoliciesApiTests(SqliteApp app) : PoliciesApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlPoliciesApiTests(PostgreSqlApp app) : PoliciesApiTests(app), IClassFixture<PostgreSqlApp>;
