using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Protections;

namespace Portal.Tests.Core.Protections;

/// <summary>
/// The country database on the real ip-location-db file (see <see cref="GeoTestDatabase"/>) and
/// on small files written for a test (see <see cref="MmdbFile"/>): lookups, refusal of a bad
/// setting, and reloading when the file changes.
/// </summary>
public sealed class CountryDatabaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("portal-geo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("8.8.8.8", "US")]               // Google public DNS
    [InlineData("193.99.144.80", "DE")]         // heise.de, a German allocation
    [InlineData("133.11.0.1", "JP")]            // the University of Tokyo
    [InlineData("1.1.1.1", "AU")]               // APNIC's research prefix
    [InlineData("2001:4860:4860::8888", "US")]  // Google public DNS over IPv6
    [InlineData("::ffff:8.8.8.8", "US")]        // IPv4-mapped: answered as its IPv4 address
    public void Find_RealDatabase_PlacesWellKnownAddresses(string address, string country)
    {
        using var database = new CountryDatabase(GeoTestDatabase.Path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);

        Assert.Equal(country, database.Find(ClientAddress.Parse(address)).ToString());
    }

    [Theory]
    [InlineData("10.0.0.1")]     // private
    [InlineData("192.0.2.1")]    // documentation
    [InlineData("127.0.0.1")]    // loopback
    [InlineData("fe80::1")]      // link-local (the file places 2001:db8::/32, documentation, in JP)
    [InlineData("fc00::1")]      // unique-local
    public void Find_RealDatabase_AddressItDoesNotPlace_IsNone(string address)
    {
        using var database = new CountryDatabase(GeoTestDatabase.Path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);

        Assert.Equal(CountryCode.None, database.Find(ClientAddress.Parse(address)));
    }

    [Fact]
    public void Load_RealDatabase_ReportsWhatItHolds()
    {
        using var database = new CountryDatabase(GeoTestDatabase.Path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);

        Assert.True(database.IsAvailable);
        Assert.Equal(GeoTestDatabase.Path, database.Path);
        Assert.InRange(database.V4RangeCount, 100_000, 2_000_000);
        Assert.InRange(database.V6RangeCount, 50_000, 2_000_000);
        Assert.NotNull(database.LoadedAt);
        Assert.Null(database.LastError);
    }

    [Fact]
    public void Find_NoDatabase_IsUnavailableAndNone()
    {
        using var database = new CountryDatabase(null, TimeProvider.System, NullLogger<CountryDatabase>.Instance);

        Assert.False(database.IsAvailable);
        Assert.Equal(CountryCode.None, database.Find(ClientAddress.Parse("8.8.8.8")));
        Assert.False(database.Reload());
    }

    [Fact]
    public void Find_UnknownAddress_IsNone()
    {
        using var database = new CountryDatabase(GeoTestDatabase.Path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);

        Assert.Equal(CountryCode.None, database.Find(ClientAddress.None));
    }

    [Theory]
    [InlineData(MmdbFile.Layout.GeoLite2)]
    [InlineData(MmdbFile.Layout.IpLocationDb)]
    public void Find_WrittenFile_ReadsEitherLayoutAndRangeEdges(MmdbFile.Layout layout)
    {
        var path = System.IO.Path.Combine(_directory, "countries.mmdb");
        MmdbFile.Write(path, layout, ("198.51.100.0/24", "FR"), ("198.51.101.0/24", "FR"), ("203.0.113.128/25", "JP"), ("2001:db8:1::/48", "CH"));

        using var database = new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);

        Assert.Equal("FR", database.Find(ClientAddress.Parse("198.51.100.0")).ToString());
        Assert.Equal("FR", database.Find(ClientAddress.Parse("198.51.101.255")).ToString());
        Assert.Equal(CountryCode.None, database.Find(ClientAddress.Parse("198.51.102.0")));
        Assert.Equal(CountryCode.None, database.Find(ClientAddress.Parse("203.0.113.127")));
        Assert.Equal("JP", database.Find(ClientAddress.Parse("203.0.113.128")).ToString());
        Assert.Equal("JP", database.Find(ClientAddress.Parse("::ffff:203.0.113.255")).ToString());
        Assert.Equal("CH", database.Find(ClientAddress.Parse("2001:db8:1:ffff:ffff:ffff:ffff:ffff")).ToString());
        Assert.Equal(CountryCode.None, database.Find(ClientAddress.Parse("2001:db8:2::")));
        // The two adjacent French /24s are one range.
        Assert.Equal(2, database.V4RangeCount);
        Assert.Equal(1, database.V6RangeCount);
    }

    [Fact]
    public void Load_MissingFile_RefusedNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            new CountryDatabase(System.IO.Path.Combine(_directory, "absent.mmdb"), TimeProvider.System, NullLogger<CountryDatabase>.Instance));

        Assert.Contains("Geo:DatabasePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptFile_RefusedNamingTheSetting()
    {
        var path = System.IO.Path.Combine(_directory, "corrupt.mmdb");
        File.WriteAllBytes(path, File.ReadAllBytes(GeoTestDatabase.Path)[..100_000]);

        var error = Assert.Throws<OptionsValidationException>(() => new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance));

        Assert.Contains("Geo:DatabasePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileWithoutCountries_RefusedNamingTheSetting()
    {
        var path = System.IO.Path.Combine(_directory, "empty.mmdb");
        MmdbFile.Write(path, MmdbFile.Layout.IpLocationDb, ("198.51.100.0/24", "1"));

        var error = Assert.Throws<OptionsValidationException>(() => new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance));

        Assert.Contains("Geo:DatabasePath", error.Message, StringComparison.Ordinal);
        Assert.Contains("no country records", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("corrupt")]
    [InlineData("directory")]
    public void Start_BadDatabasePath_AppRefusesNamingTheSetting(string kind)
    {
        var path = System.IO.Path.Combine(_directory, "countries.mmdb");
        if (kind == "corrupt")
        {
            File.WriteAllText(path, "not a database");
        }
        else if (kind == "directory")
        {
            path = _directory;
        }

        using var app = new GeoApp(path);

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.Contains("Geo:DatabasePath", Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_GoodDatabasePath_LookupIsTheLoadedDatabase()
    {
        var path = System.IO.Path.Combine(_directory, "countries.mmdb");
        MmdbFile.Write(path, MmdbFile.Layout.GeoLite2, ("198.51.100.0/24", "FR"));
        using var app = new GeoApp(path);

        var lookup = app.Services.GetRequiredService<ICountryLookup>();

        Assert.Same(app.Services.GetRequiredService<CountryDatabase>(), lookup);
        Assert.True(lookup.IsAvailable);
        Assert.Equal("FR", lookup.Find(ClientAddress.Parse("198.51.100.7")).ToString());
    }

    [Fact]
    public void Start_NoDatabasePath_StartsUnavailable()
    {
        using var app = new GeoApp(null);

        Assert.False(app.Services.GetRequiredService<ICountryLookup>().IsAvailable);
    }

    [Fact]
    public void Reload_CorruptThenMissingThenGood_KeepsLastGoodTable()
    {
        var path = System.IO.Path.Combine(_directory, "countries.mmdb");
        MmdbFile.Write(path, MmdbFile.Layout.IpLocationDb, ("198.51.100.0/24", "FR"));
        using var database = new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);

        File.WriteAllText(path, "not a database");
        Assert.False(database.Reload());
        Assert.Equal("FR", database.Find(ClientAddress.Parse("198.51.100.7")).ToString());
        Assert.NotNull(database.LastError);

        File.Delete(path);
        Assert.False(database.Reload());
        Assert.Equal("FR", database.Find(ClientAddress.Parse("198.51.100.7")).ToString());
        Assert.Contains("No file at", database.LastError ?? "no error", StringComparison.Ordinal);

        MmdbFile.Write(path, MmdbFile.Layout.IpLocationDb, ("198.51.100.0/24", "IT"));
        Assert.True(database.Reload());
        Assert.Equal("IT", database.Find(ClientAddress.Parse("198.51.100.7")).ToString());
        Assert.Null(database.LastError);
    }

    [Fact]
    public async Task Watch_FileRenamedOver_IsReloaded()
    {
        var path = System.IO.Path.Combine(_directory, "countries.mmdb");
        MmdbFile.Write(path, MmdbFile.Layout.IpLocationDb, ("198.51.100.0/24", "FR"));
        using var database = new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);
        await database.StartAsync(CancellationToken.None);
        var address = ClientAddress.Parse("198.51.100.7");

        // Replaced as deployments do: written beside it, then renamed over it in one step.
        var next = System.IO.Path.Combine(_directory, "countries.mmdb.new");
        MmdbFile.Write(next, MmdbFile.Layout.IpLocationDb, ("198.51.100.0/24", "IT"));
        File.Move(next, path, overwrite: true);

        Assert.True(await Eventually(() => database.Find(address).ToString() == "IT"), "the replaced file was not reloaded");
        Assert.Null(database.LastError);
    }

    [Fact]
    public async Task Watch_CorruptReplacement_KeepsLastGoodTableAndReportsIt()
    {
        var path = System.IO.Path.Combine(_directory, "countries.mmdb");
        MmdbFile.Write(path, MmdbFile.Layout.IpLocationDb, ("198.51.100.0/24", "FR"));
        using var database = new CountryDatabase(path, TimeProvider.System, NullLogger<CountryDatabase>.Instance);
        await database.StartAsync(CancellationToken.None);

        var next = System.IO.Path.Combine(_directory, "countries.mmdb.new");
        File.WriteAllText(next, "not a database");
        File.Move(next, path, overwrite: true);

        Assert.True(await Eventually(() => database.LastError is not null), "the damaged file was not noticed");
        Assert.Equal("FR", database.Find(ClientAddress.Parse("198.51.100.7")).ToString());
        Assert.True(database.IsAvailable);
    }

    // Polls a condition for up to 30 seconds: the watcher answers within about a second, the
    // periodic check within CheckInterval; the bound only stops a broken reload from hanging.
    private static async Task<bool> Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition();
    }

    private static string Messages(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Messages));
            }
        }

        return string.Join(" | ", messages);
    }

    /// <summary>The app on a fresh SQLite folder with <c>Geo:DatabasePath</c> set.</summary>
    private sealed class GeoApp(string? databasePath) : WebApplicationFactory<Program>
    {
        private readonly string _dataDirectory = Directory.CreateTempSubdirectory("portal-geo-app-").FullName;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Storage:DataDirectory", _dataDirectory);
            builder.UseSetting("ConnectionStrings:Portal", $"Data Source={System.IO.Path.Combine(_dataDirectory, "portal.db")}");
            builder.UseSetting("Geo:DatabasePath", databasePath ?? "");
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
        }
    }
}
