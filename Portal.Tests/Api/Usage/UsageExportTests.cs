using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Data;
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

    [Fact]
    public async Task KeysAndEndpointsCsv_TextBeginningWithAFormulaCharacter_IsNeutralised()
    {
        var owner = await app.NewUserAsync();
        var texts = Logs.AuthenticationLogExportTests.FormulaTexts;
        var now = app.Clock.GetUtcNow();
        var keys = new List<Guid>();
        foreach (var text in texts)
        {
            // Names beginning with a tab or CR cannot be entered (the name rule trims and refuses them);
            // written straight into the database they stand for whatever a name held before the rule.
            var key = await app.NewKeyInAsync(owner, owner.OrganizationId, $"key {keys.Count}");
            await using (var scope = app.Scope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                await db.ApiKeys.Where(k => k.Id == key).ExecuteUpdateAsync(s => s.SetProperty(k => k.Name, text));
            }

            await app.AddMinutesAsync(UsageTestData.Minute(owner.OrganizationId, key, now.AddMinutes(-2), "VALID", 1));
            await app.AddLogAsync(new AuthenticationLogRecord
            {
                OccurredAt = now.AddMinutes(-2), KeyId = key, OrganizationId = owner.OrganizationId, OwnerId = owner.User.Id,
                Code = "VALID", Door = Doors.Check, Path = text, LatencyMicroseconds = 100,
            });
            keys.Add(key);
        }

        var client = await app.SignInAsync(owner);

        var byKey = CsvFile.Parse(await client.GetStringAsync($"/orgs/{owner.OrganizationId}/usage.csv?range=1h&chart=keys"));
        var byEndpoint = CsvFile.Parse(await client.GetStringAsync($"/orgs/{owner.OrganizationId}/usage.csv?range=1h&chart=endpoints"));

        Assert.Empty(CsvFile.FormulaCells(byKey));
        Assert.Empty(CsvFile.FormulaCells(byEndpoint));
        Assert.Equal(texts.Select(t => "'" + t).Order(StringComparer.Ordinal), byKey.Skip(1).Select(r => r[1]).Order(StringComparer.Ordinal));
        Assert.Equal(texts.Select(t => "'" + t).Order(StringComparer.Ordinal), byEndpoint.Skip(1).Select(r => r[0]).Order(StringComparer.Ordinal));
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
