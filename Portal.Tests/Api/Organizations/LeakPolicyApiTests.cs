using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Protections;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Organizations;

/// <summary>The organization's answer to reported leaks (<c>threats.reportedLeaks</c>) through the policies API.</summary>
public abstract class LeakPolicyApiTests(PortalApp app)
{
    [Fact]
    public async Task Get_PolicyNeverSet_AnswersRevoke()
    {
        var organization = await app.NewOrganizationAsync();
        var client = await app.ClientInAsync(organization.Owner, organization.Id);

        var response = await client.GetAsync($"/api/v1/organizations/{organization.Id}/policies");

        var policy = await response.ReadJsonAsync();
        Assert.Equal("revoke", policy.GetProperty("threats").GetProperty("reportedLeaks").GetString());
    }

    [Fact]
    public async Task Put_Suspend_IsStoredInTheThreatPolicy_AndReadBack()
    {
        var organization = await app.NewOrganizationAsync();
        var client = await app.ClientInAsync(organization.Owner, organization.Id);

        var saved = await client.PutAsJsonAsync($"/api/v1/organizations/{organization.Id}/policies", new { threats = new { reportedLeaks = "suspend" } });
        var read = await (await client.GetAsync($"/api/v1/organizations/{organization.Id}/policies")).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("suspend", read.GetProperty("threats").GetProperty("reportedLeaks").GetString());
        // The other thresholds keep their defaults.
        Assert.Equal(ThreatPolicy.Default.FailureLimit, read.GetProperty("threats").GetProperty("failureLimit").GetInt32());
        await using var scope = app.Scope();
        var stored = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().OrganizationPolicies.AsNoTracking().SingleAsync(p => p.OrganizationId == organization.Id);
        Assert.Equal(LeakResponse.Suspend, stored.Threats?.ReportedLeaks);
    }

    [Theory]
    [InlineData("""{ "threats": { "reportedLeaks": "delete" } }""")]
    [InlineData("""{ "threats": { "reportedLeaks": 1 } }""")]
    [InlineData("""{ "threats": { "reportedLeaks": null } }""")]
    public async Task Put_UnknownAnswer_Returns400NamingItAndSavesNothing(string json)
    {
        var organization = await app.NewOrganizationAsync();
        var client = await app.ClientInAsync(organization.Owner, organization.Id);

        var response = await client.PutAsync($"/api/v1/organizations/{organization.Id}/policies", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("threats.reportedLeaks", problem.Errors().Keys);
        await using var scope = app.Scope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().OrganizationPolicies.AnyAsync(p => p.OrganizationId == organization.Id));
    }
}

public sealed class SqliteLeakPolicyApiTests(SqliteApp app) : LeakPolicyApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlLeakPolicyApiTests(PostgreSqlApp app) : LeakPolicyApiTests(app), IClassFixture<PostgreSqlApp>;
