using System.Text.Json;
using Portal.Core.Keys;

namespace Portal.Tests.Core.Keys;

public sealed class PepperRingTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("portal-pepper-").FullName;

    private string KeyFile => Path.Combine(_dataDirectory, "peppers.json");

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public void Load_NoConfiguredPepper_CreatesOwnerOnlyKeyFile()
    {
        var folder = Path.Combine(_dataDirectory, "not-yet-there");

        var ring = PepperRing.Load(new KeyOptions(), folder);

        var file = Path.Combine(folder, "peppers.json");
        Assert.True(File.Exists(file));
        Assert.Equal(1, ring.CurrentVersion);
        Assert.Equal(32, ring[1].Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Load_SecondRun_ReusesKeyFile()
    {
        var first = PepperRing.Load(new KeyOptions(), _dataDirectory);
        var written = File.ReadAllText(KeyFile);

        var second = PepperRing.Load(new KeyOptions(), _dataDirectory);

        Assert.Equal(first[1], second[1]);
        Assert.Equal(written, File.ReadAllText(KeyFile));
        var token = ApiKeyToken.Generate("pk_test");
        Assert.Equal(new KeyHasher(first).Hash(token), new KeyHasher(second).Hash(token));
    }

    [Fact]
    public void Load_TwoFreshFolders_GetDifferentPeppers()
    {
        var other = Directory.CreateTempSubdirectory("portal-pepper-").FullName;
        try
        {
            Assert.NotEqual(PepperRing.Load(new KeyOptions(), _dataDirectory)[1], PepperRing.Load(new KeyOptions(), other)[1]);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Load_KeyFileWithSeveralVersions_ReadsAllAndUsesNewest()
    {
        var one = new byte[32];
        var two = Enumerable.Repeat((byte)7, 32).ToArray();
        File.WriteAllText(KeyFile, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["1"] = Convert.ToBase64String(one),
            ["2"] = Convert.ToBase64String(two),
        }));

        var ring = PepperRing.Load(new KeyOptions(), _dataDirectory);

        Assert.Equal(2, ring.CurrentVersion);
        Assert.Equal([2, 1], ring.Versions);
        Assert.Equal(one, ring[1]);
        Assert.Equal(two, ring[2]);
    }

    [Fact]
    public void Load_ConfiguredPeppers_WinOverKeyFileAndCreateNoFile()
    {
        var configured = Enumerable.Repeat((byte)42, 32).ToArray();
        var options = new KeyOptions { Peppers = [new PepperSetting { Version = 5, Secret = Convert.ToBase64String(configured) }] };

        var ring = PepperRing.Load(options, _dataDirectory);

        Assert.False(File.Exists(KeyFile));
        Assert.Equal(5, ring.CurrentVersion);
        Assert.Equal(configured, ring[5]);
    }

    [Fact]
    public void Load_ConfiguredPeppersAndExistingKeyFile_IgnoresKeyFile()
    {
        var fromFile = PepperRing.Load(new KeyOptions(), _dataDirectory);
        var configured = Enumerable.Repeat((byte)42, 32).ToArray();
        var options = new KeyOptions { Peppers = [new PepperSetting { Version = 1, Secret = Convert.ToBase64String(configured) }] };

        var ring = PepperRing.Load(options, _dataDirectory);

        Assert.Equal(configured, ring[1]);
        Assert.NotEqual(fromFile[1], ring[1]);
    }

    [Theory]
    [InlineData(null, 3)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public void Load_CurrentPepperVersion_DefaultsToHighest(int? current, int expected)
    {
        var options = new KeyOptions
        {
            CurrentPepperVersion = current,
            Peppers =
            [
                new PepperSetting { Version = 1, Secret = Convert.ToBase64String(new byte[32]) },
                new PepperSetting { Version = 3, Secret = Convert.ToBase64String(Enumerable.Repeat((byte)3, 32).ToArray()) },
                new PepperSetting { Version = 2, Secret = Convert.ToBase64String(Enumerable.Repeat((byte)2, 32).ToArray()) },
            ],
        };

        var ring = PepperRing.Load(options, _dataDirectory);

        Assert.Equal(expected, ring.CurrentVersion);
        Assert.Equal([3, 2, 1], ring.Versions);
    }

    [Fact]
    public void Constructor_CurrentVersionMissing_Throws() =>
        Assert.Throws<ArgumentException>(() => new PepperRing(new Dictionary<int, byte[]> { [1] = new byte[32] }, 2));

    [Fact]
    public void Constructor_CallerChangesArrayAfterwards_RingKeepsItsCopy()
    {
        var pepper = new byte[32];
        var ring = new PepperRing(new Dictionary<int, byte[]> { [1] = pepper }, 1);

        pepper[0] = 1;

        Assert.Equal(0, ring[1][0]);
    }
}
