using Portal.Tests.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Web;

/// <summary>The usage pages over real HTTP: another tenant's organization and the platform page for non-administrators are "not found".</summary>
public sealed class UsagePagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task OrganizationUsage_Member_ShowsThePage_OtherTenant_NotFound()
    {
        var me = await app.NewUserAsync();
        var other = await app.NewUserAsync();
        var client = await app.SignInAsync(me);

        var mine = await client.GetStringAsync($"/orgs/{me.OrganizationId}/usage");
        var theirs = await client.GetNotFoundPageAsync($"/orgs/{other.OrganizationId}/usage");

        Assert.Contains("Requests over time", mine);
        Assert.DoesNotContain("Not found", mine);
        Assert.DoesNotContain("Requests over time", theirs);
    }

    [Fact]
    public async Task PlatformUsage_OnlyForPlatformAdministrators()
    {
        var someone = await app.NewUserAsync();
        var admin = await app.NewUserAsync();
        await app.MakePlatformAdministratorAsync(admin);

        var denied = await (await app.SignInAsync(someone)).GetNotFoundPageAsync("/platform/usage");
        var allowed = await (await app.SignInAsync(admin)).GetStringAsync("/platform/usage");

        Assert.DoesNotContain("Requests over time", denied);
        Assert.Contains("Platform usage", allowed);
        Assert.Contains("Requests over time", allowed);
    }
}
