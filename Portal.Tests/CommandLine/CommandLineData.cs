using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;

namespace Portal.Tests.CommandLine;

/// <summary>
/// A data folder for runs of the program, and Portal.Core wired onto that same folder (same
/// database, same pepper file) so a test can look at what the program did.
/// </summary>
public sealed class CommandLineData : IAsyncDisposable
{
    private ServiceProvider? _services;

    public string Folder { get; } = Directory.CreateTempSubdirectory("portal-cli-").FullName;

    /// <summary>Portal.Core on the folder; build it only after the program made the database.</summary>
    public ServiceProvider Services => _services ??= Build();

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = Path.Combine(Folder, "data") })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddPortalCore(configuration, Folder);
        return services.BuildServiceProvider();
    }
}
