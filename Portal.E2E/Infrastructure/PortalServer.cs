using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// The real Portal program, started as a child process on loopback with a fresh data folder and
/// an embedded SQLite database, exactly as an operator would run it from a build. Everything it
/// writes is kept in <see cref="Output"/>, so a test can read what the operator would read in the
/// log (for example the one-time setup link) with <see cref="WaitForLogLineAsync"/>.
/// </summary>
/// <remarks>
/// Use it as a collection fixture (see <see cref="PortalCollection"/>) to share one server, or as
/// a class fixture, or derive from it and override <see cref="ConfigureEnvironment"/> for a server
/// with other settings. The process is killed on dispose, and when the test process exits.
/// Registration is opened with the operator's command before the server starts, as the flows
/// sign people up freely; a server for the invitation-only default overrides <see cref="OpenRegistration"/>.
/// </remarks>
public class PortalServer : IAsyncLifetime
{
    /// <summary>How long a start (migrations included) may take on a busy two-core machine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long <see cref="WaitForLogLineAsync"/> waits when not told.</summary>
    public static readonly TimeSpan DefaultLogWait = TimeSpan.FromSeconds(30);

    // Kestrel picks the free port itself (port 0) and logs it: no window in which another
    // process could take a port chosen in advance.
    private static readonly Regex ListeningLine = new(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)", RegexOptions.CultureInvariant);

    private Process? _process;
    private Uri? _baseAddress;

    public PortalServer()
    {
        DataDirectory = Directory.CreateTempSubdirectory("portal-e2e-").FullName;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The Portal server has not started.");

    /// <summary>The server's data folder (database, pepper file), deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>Every line the server wrote to standard output and standard error.</summary>
    public ServerOutput Output { get; } = new();

    /// <summary>The server's built entry assembly, copied beside the tests by the project reference.</summary>
    public static string PortalAssemblyPath => Path.Combine(AppContext.BaseDirectory, "Portal.dll");

    /// <summary>
    /// Waits for the first log line, since the server started, that matches <paramref name="pattern"/>
    /// (named groups are read from the returned match).
    /// </summary>
    public Task<Match> WaitForLogLineAsync(Regex pattern, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Output.WaitForLineAsync(pattern, timeout ?? DefaultLogWait, cancellationToken);

    /// <summary>An HTTP client for the server's API, for arranging state a browser need not click through.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>Whether to run <c>platform registration open</c> before the start (a new installation is invitation-only).</summary>
    protected virtual bool OpenRegistration => true;

    public async Task InitializeAsync()
    {
        if (!File.Exists(PortalAssemblyPath))
        {
            throw new FileNotFoundException(
                $"Portal.dll is not beside the end-to-end tests ({AppContext.BaseDirectory}). Build the solution first.", PortalAssemblyPath);
        }

        if (OpenRegistration)
        {
            await RunCommandAsync("platform", "registration", "open");
        }

        var start = PortalStart("--urls", "http://127.0.0.1:0");

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Receive(e.Data);
        process.ErrorDataReceived += (_, e) => Receive(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start '{start.FileName}' to run the Portal: {e.Message}", e);
        }

        _process = process;
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(StartTimeout);
        var listening = await Output.WaitForLineAsync(ListeningLine, StartTimeout, deadline.Token);
        _baseAddress = new Uri(listening.Groups["url"].Value + "/");
        await WaitUntilReadyAsync(deadline.Token);
    }

    /// <summary>
    /// Runs the program's command line on the server's data folder and settings, as an operator
    /// would on a headless install; throws with its output when it exits non-zero.
    /// </summary>
    protected async Task RunCommandAsync(params string[] arguments)
    {
        var start = PortalStart(arguments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{start.FileName}'.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(StartTimeout);
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'Portal {string.Join(" ", arguments)}' exited with {process.ExitCode}.\n{await output}\n{await error}");
        }
    }

    // The Portal program with these arguments, the server's settings and its output captured.
    private ProcessStartInfo PortalStart(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(PortalAssemblyPath)!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(PortalAssemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        SetEnvironment(start.Environment);
        return start;
    }

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        if (_process is { } process)
        {
            Kill(process);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // The kill was sent; a process that lingers must not fail the run that already finished.
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; the tests' outcome is not about it.
        }
    }

    /// <summary>Adds or overrides the server's environment (configuration keys use <c>__</c> for <c>:</c>).</summary>
    protected virtual void ConfigureEnvironment(IDictionary<string, string?> environment)
    {
    }

    private void SetEnvironment(IDictionary<string, string?> environment)
    {
        // Settings from the machine or the test command must not leak into the server under test.
        foreach (var inherited in environment.Keys.Where(IsInheritedConfiguration).ToList())
        {
            environment.Remove(inherited);
        }

        // Development: a build output (not a publish) serves its static web assets (MudBlazor's
        // CSS and JS, blazor.web.js) from their build locations only in this environment.
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["Storage__DataDirectory"] = DataDirectory;
        environment["Database__Provider"] = "Sqlite";
        environment["ConnectionStrings__Portal"] = "";

        // One log entry per line, no colour codes, so a test can match an entry with one regex;
        // the listening address must be logged whatever the operator's log levels say.
        environment["Logging__Console__FormatterName"] = "simple";
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";

        ConfigureEnvironment(environment);
    }

    private static bool IsInheritedConfiguration(string name) =>
        name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || name.Contains("__", StringComparison.Ordinal);

    private async Task WaitUntilReadyAsync(CancellationToken deadline)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var last = "no answer yet";
        while (true)
        {
            if (Output.Ended)
            {
                throw new InvalidOperationException($"The Portal process exited before /health/ready answered 200.\n{Output.Describe()}");
            }

            try
            {
                using var response = await client.GetAsync("health/ready", deadline);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(deadline)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
                last = "the request timed out";
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException(
            $"The Portal at {BaseAddress} did not answer 200 on /health/ready within {StartTimeout.TotalSeconds:0} s (last: {last}).\n{Output.Describe()}");
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            Output.StreamEnded();
        }
        else
        {
            Output.Append(line);
        }
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        if (_process is { } process)
        {
            Kill(process);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    // The test host runs under the same dotnet that the SDK names in DOTNET_HOST_PATH; use it so
    // the server runs on the same runtime whatever PATH says.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        return Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
