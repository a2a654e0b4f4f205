using System.Net;
using System.Text.Json;
using Portal.Core.Organizations;
using Portal.Tests.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Api.Usage;

/// <summary>
/// The usage CSV endpoints: a chart's data for what the signed-in user may see; another tenant's
/// organization or key, and the platform for anyone but its administrators, are 404; bad input is a
/// ProblemDetails naming the field.
/// </summary>
public abstract class UsageExportTests(PortalApp app)
{
    [Fact]
    public async Task OrganizationCsv_Member_GetsTheChartsData()
    {
        var owner = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(owner, owner.OrganizationId, "exported");
        var now = app.Clock.GetUtcNow();
        await app.AddMinutesAsync(
            UsageTestData.Minute(owner.OrganizationId, key, now.AddMinutes(-5), "VALID", 3),
            UsageTestData.Minute(owner.OrganizationId, key, now.AddMinutes(-5), "REVOKED", 1));
        var client = await app.SignInAsync(owner);

        var timeline = await client.GetAsync($"/orgs/{owner.OrganizationId}/usage.csv?range=1h");
        var reasons = await client.GetStringAsync($"/orgs/{owner.OrganizationId}/usage.csv?range=1h&chart=reasons");
        var keys = await client.GetStringAsync($"/orgs/{owner.OrganizationId}/usage.csv?range=1h&chart=keys");
        var ofKey = await client.GetStringAsync($"/orgs/{owner.OrganizationId}/keys/{key}/usage.csv?range=1h");

        Assert.Equal(HttpStatusCode.OK, timeline.StatusCode);
        Assert.Equal("text/csv", timeline.Content.Headers.ContentType?.MediaType);
        var lines = (await timeline.Content.ReadAsStringAsync()).TrimEnd().Split("\r\n");
        Assert.Equal("bucket_start,allowed,denied", lines[0]);
        Assert.Contains(lines, l => l.EndsWith(",3,1", StringComparison.Ordinal));
        Assert.Equal("code,count\r\nVALID,3\r\nREVOKED,1\r\n", reasons);
        Assert.StartsWith($"key_id,name,hint,allowed,denied\r\n{key},exported,", keys);
        Assert.EndsWith(",3,1\r\n", keys);
        Assert.Contains(",3,1", ofKey);
    }

    [Fact]
    public async Task OrganizationCsv_Developer_GetsOnlyTheirKeys()
    {
        var admin = await app.NewUserAsync();
        var developer = await app.NewUserAsync();
        var organization = await app.NewOrganizationAsync(admin);
        await app.AddMemberAsync(organization, developer, OrganizationRole.Developer);
        var adminKey = await app.NewKeyInAsync(admin, organization, "admin key");
        var developerKey = await app.NewKeyInAsync(developer, organization, "developer key");
        var now = app.Clock.GetUtcNow();
        await app.AddMinutesAsync(
            UsageTestData.Minute(organization, adminKey, now.AddMinutes(-2), "VALID", 8),
            UsageTestData.Minute(organization, developerKey, now.AddMinutes(-2), "VALID", 1));
        var client = await app.SignInAsync(developer);

        var keys = await client.GetStringAsync($"/orgs/{organization}/usage.csv?range=1h&chart=keys");
        var reasons = await client.GetStringAsync($"/orgs/{organization}/usage.csv?range=1h&chart=reasons");

        Assert.Contains("developer key", keys);
        Assert.DoesNotContain("admin key", keys);
        Assert.Equal("code,count\r\nVALID,1\r\n", reasons);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/orgs/{organization}/keys/{adminKey}/usage.csv")).StatusCode);
    }

    [Fact]
    public async Task Csv_OtherTenantOrNotPlatformAdministrator_IsNotFound()
    {
        var me = await app.NewUserAsync();
        var other = await app.NewUserAsync();
        var otherKey = await app.NewKeyInAsync(other, other.OrganizationId, "theirs");
        var client = await app.SignInAsync(me);

        foreach (var path in new[]
                 {
                     $"/orgs/{other.OrganizationId}/usage.csv",
                     $"/orgs/{other.OrganizationId}/keys/{otherKey}/usage.csv",
                     $"/orgs/{me.OrganizationId}/keys/{otherKey}/usage.csv",
                     "/platform/usage.csv",
                     $"/orgs/{other.OrganizationId}/logs.csv",
                     $"/orgs/{Guid.NewGuid()}/logs.csv",
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task PlatformCsv_PlatformAdministrator_GetsEveryOrganization()
    {
        var admin = await app.NewUserAsync();
        await app.MakePlatformAdministratorAsync(admin);
        var someone = await app.NewUserAsync();
        var key = await app.NewKeyInAsync(someone, someone.OrganizationId, "platform-wide");
        await app.AddMinutesAsync(UsageTestData.Minute(someone.OrganizationId, key, app.Clock.GetUtcNow().AddMinutes(-1), "VALID", 2));
        var client = await app.SignInAsync(admin);

        var keys = await client.GetStringAsync("/platform/usage.csv?range=1h&chart=keys");

        Assert.Contains("platform-wide", keys);
    }

    [Theory]
    [InlineData("range=custom&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("range=custom&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("range=fortnight", "range")]
    [InlineData("chart=pie", "chart")]
    [InlineData("range=custom&from=yesterday&to=2026-01-01T00:00:00Z", "from")]
    public async Task Csv_BadInput_IsProblemDetailsNamingTheField(string query, string field)
    {
        var me = await app.NewUserAsync();
        var client = await app.SignInAsync(me);

        var response = await client.GetAsync($"/orgs/{me.OrganizationId}/usage.csv?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteUsageExportTests(SqliteApp app) : UsageExportTests(app), IClassFixture<SqliteApp>;

public sealed class PostgreSqlUsageExportTests(PostgreSqlApp app) : UsageExportTests(app), IClassFixture<PostgreSqlApp>;
