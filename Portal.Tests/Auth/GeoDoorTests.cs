using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Portal.Core.Access;
using Portal.Core.Data;
using Portal.Core.Keys;
using Portal.Core.Organizations;
using Portal.Core.Protections;
using Portal.Tests.Core.Protections;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// Country rules at the doors with the real country database the test command fetches
/// (<c>scripts/fetch-geo-database.sh</c>): 193.99.144.80 is placed in Germany, 8.8.8.8 in the
/// United States, 192.0.2.1 (documentation space) nowhere.
/// </summary>
public sealed class GeoDoorTests(GeoDoorApp app) : IClassFixture<GeoDoorApp>
{
    private const string German = "193.99.144.80";
    private const string American = "8.8.8.8";
    private const string Unplaced = "192.0.2.1";

    [Fact]
    public async Task KeyAllowingGermanyOnly_RefusesOtherCountriesAndUnplacedAddresses_AtEveryDoor()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, new CreateKeyCommand("germany only", Scopes: ["orders:read"],
            Protections: new RequestProtections(Countries: new CountryRules(Allow: ["DE"]))));
        var client = app.AnonymousClient();

        var answers = new List<string>();
        foreach (var address in new[] { German, American, Unplaced })
        {
            using var check = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, "orders:read")).WithBearer(issued.Token).WithRawHeader(DoorApp.PeerHeader, address));
            using var verify = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = address });
            answers.Add($"{address} {(int)check.StatusCode} {check.Header("X-Auth-Code")} {(await verify.ReadJsonAsync()).GetProperty("code").GetString()}");
        }

        Assert.Equal([$"{German} 200 VALID VALID", $"{American} 403 GEO_BLOCKED GEO_BLOCKED", $"{Unplaced} 403 GEO_BLOCKED GEO_BLOCKED"], answers);
    }

    [Fact]
    public async Task OrganizationDenyingACountry_RefusesEveryKeyFromThere()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        await using (var scope = app.Scope())
        {
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OrganizationPolicies>(scope.ServiceProvider)
                .UpdateAsync(owner.Caller(), owner.OrganizationId, new PolicySettings(DeniedCountries: ["us"]));
        }

        using var american = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = American });
        using var german = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = issued.Token, clientIp = German });

        Assert.Equal("GEO_BLOCKED", (await american.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.Equal("VALID", (await german.ReadJsonAsync()).GetProperty("code").GetString());
    }
}

/// <summary>The door host with the country database set (<c>Geo:DatabasePath</c>).</summary>
public sealed class GeoDoorApp() : DoorApp(DatabaseProvider.Sqlite)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Geo:DatabasePath", GeoTestDatabase.Path);
    }
}
