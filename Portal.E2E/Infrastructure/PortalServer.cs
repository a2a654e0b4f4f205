using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// The built Portal.dll started as a child process on a free loopback port with a fresh data
/// folder (fresh SQLite database), its log captured so tests can read the first-start link.
/// </summary>
public sealed partial class PortalServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private PortalServer(Process process, string baseUrl, string dataDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        DataDirectory = dataDirectory;
    }

    public string BaseUrl { get; }

    public string DataDirectory { get; }

    public IEnumerable<string> Log => _log;

    public static async Task<PortalServer> StartAsync()
    {
        var port = FreePort();
        var dataDirectory = Directory.CreateTempSubdirectory("portal-e2e-").FullName;
        // Portal's own build output, started from its project folder: the content root with wwwroot,
        // as after `dotnet run --project Portal`.
        var (portalDll, projectDirectory) = LocatePortal();
        var start = new ProcessStartInfo("dotnet", [portalDll])
        {
            WorkingDirectory = projectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Storage__DataDirectory"] = dataDirectory;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Portal.dll.");
        var server = new PortalServer(process, $"http://127.0.0.1:{port}", dataDirectory);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("Portal exited at start:\n" + string.Join('\n', server._log));
            }

            try
            {
                if ((await http.GetAsync($"{server.BaseUrl}/health/ready")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        await server.DisposeAsync();
        throw new TimeoutException("Portal did not become ready in 90 s.");
    }

    /// <summary>The first-start link the server writes to its log.</summary>
    public async Task<string> SetupLinkAsync()
    {
        for (var i = 0; i < 120; i++)
        {
            var match = _log.Select(line => SetupLink().Match(line)).FirstOrDefault(m => m.Success);
            if (match is not null)
            {
                return match.Value;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("No setup link in the log:\n" + string.Join('\n', _log));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (string Dll, string ProjectDirectory) LocatePortal()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            throw new InvalidOperationException("Run the end-to-end tests from the repository (Portal.sln not found).");
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var project = Path.Combine(directory.FullName, "Portal");
        return (Path.Combine(project, "bin", configuration, "net10.0", "Portal.dll"), project);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"http://[^\s]+/setup/[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();
}
