using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Portal.Core.Apis;

namespace Portal.E2E.Gateway;

/// <summary>
/// A real Portal process and a real nginx on loopback: nginx runs the documented
/// <c>docs/gateways/nginx.conf</c> (its addresses and API ids pointed at this fixture's) in front of
/// two apps: for example A (one scope per location) an extra nginx server block that echoes the
/// identity headers it received, for example B (a whole API through its endpoint rules) a
/// <see cref="RecordingUpstream"/> that keeps every request line it was sent. Users, APIs and keys
/// are made with the Portal's own command line; the endpoint rules are written into its database
/// before it starts. Everything lives in a temporary folder and dies with the fixture.
/// </summary>
public sealed class NginxGateway : IAsyncLifetime
{
    public const string Owner = "gateway-e2e@example.com";

    /// <summary>Another user, hence another organization: its keys are foreign to both APIs.</summary>
    public const string Outsider = "gateway-outsider@example.com";

    private const string AdminPassword = "correct-horse-battery-staple";

    private readonly string _root = Directory.CreateTempSubdirectory("portal-nginx-e2e-").FullName;
    private readonly StringBuilder _portalOutput = new();
    private Process? _portal;
    private Process? _nginx;

    public int PortalPort { get; } = FreePort();

    public int GatewayPort { get; } = FreePort();

    public int UpstreamPort { get; } = FreePort();

    /// <summary>Where clients reach example B, the API guarded by its endpoint rules.</summary>
    public int RulesGatewayPort { get; } = FreePort();

    /// <summary>The app behind example B: what nginx actually sent it.</summary>
    public RecordingUpstream ShopApp { get; } = new();

    /// <summary>The API of example A (the check URL names <c>orders:read</c>).</summary>
    public string OrdersApiId { get; private set; } = "";

    /// <summary>The API of example B, decided by its endpoint rules (see <see cref="ShopRules"/>).</summary>
    public string ShopApiId { get; private set; } = "";

    /// <summary>Holds <c>orders:read</c>, the scope the documented configuration requires.</summary>
    public string OrdersReadToken { get; private set; } = "";

    /// <summary>A genuine key of the same owner without <c>orders:read</c>.</summary>
    public string BillingOnlyToken { get; private set; } = "";

    /// <summary>A genuine key with <c>orders:read</c>, of <see cref="Outsider"/>'s organization.</summary>
    public string OutsiderToken { get; private set; } = "";

    /// <summary>
    /// A key of <see cref="Owner"/> for the management API (<c>/api/v1/keys</c>, <c>/api/v1/apis</c>), holding
    /// every scope the shop API's rules name, so that the keys it creates may hold them too.
    /// </summary>
    public string ManagerToken { get; private set; } = "";

    /// <summary>An orders:read key limited to two requests an hour (written before the Portal starts).</summary>
    public string LimitedToken { get; private set; } = "";

    /// <summary>
    /// The shop API's endpoint rules (method, template, scope). Requests no rule matches are allowed
    /// for any valid key of the organization: that makes a path that only looks unmatched (say
    /// <c>/public/../orders/7</c>) a way around <c>orders:read</c>, unless it is refused.
    /// </summary>
    public static IReadOnlyList<(string Method, string Template, string Scope)> ShopRules { get; } =
    [
        ("GET", "/orders/{id}", "orders:read"),
        ("DELETE", "/orders/{id}", "orders:write"),
        ("GET", "/billing/{**rest}", "billing:read"),
    ];

    public string DataDirectory => Path.Combine(_root, "portal-data");

    public HttpClient Gateway { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Portal { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var nginx = FindNginx();
        var portalDll = FindPortalDll();
        Gateway.BaseAddress = new Uri($"http://127.0.0.1:{GatewayPort}");
        Portal.BaseAddress = new Uri($"http://127.0.0.1:{PortalPort}");

        await RunPortalCommandAsync(portalDll, "admin", "create", "--email", Owner);
        await RunPortalCommandAsync(portalDll, "admin", "create", "--email", Outsider);

        // The keys below are test keys, and new APIs accept live keys only.
        OrdersApiId = (await RunPortalCommandAsync(portalDll, "apis", "create", "--owner", Owner, "--name", "Orders", "--environments", "live,test")).Trim();
        ShopApiId = (await RunPortalCommandAsync(portalDll, "apis", "create", "--owner", Owner, "--name", "Shop", "--environments", "live,test")).Trim();
        OrdersReadToken = (await RunPortalCommandAsync(portalDll, "keys", "create", "--owner", Owner, "--name", "orders reader", "--scope", "orders:read")).Trim();
        BillingOnlyToken = (await RunPortalCommandAsync(portalDll, "keys", "create", "--owner", Owner, "--name", "billing only", "--scope", "billing:read")).Trim();
        OutsiderToken = (await RunPortalCommandAsync(portalDll, "keys", "create", "--owner", Outsider, "--name", "outsider orders reader", "--scope", "orders:read")).Trim();
        LimitedToken = (await RunPortalCommandAsync(portalDll, "keys", "create", "--owner", Owner, "--name", "two an hour", "--scope", "orders:read")).Trim();
        ManagerToken = (await RunPortalCommandAsync(portalDll, "keys", "create", "--owner", Owner, "--name", "manager",
            "--scope", "keys:manage", "--scope", "apis:manage", "--scope", "orders:read", "--scope", "orders:write", "--scope", "billing:read", "--scope", "payments:write")).Trim();
        WriteShopRules();
        WriteRateLimit("two an hour", """{"rateLimits":[{"name":"hourly","limit":2,"periodSeconds":3600}]}""");
        ShopApp.Serve();

        _portal = Start(PortalStartInfo(portalDll), _portalOutput);
        await WaitUntilAsync(async () => (await Portal.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "the Portal to answer /health/ready", PortalOutput);

        var config = WriteNginxConfig();
        var nginxOutput = new StringBuilder();
        _nginx = Start(new ProcessStartInfo(nginx, ["-p", _root, "-c", config, "-e", Path.Combine(_root, "error.log")]), nginxOutput);
        await WaitUntilAsync(() => Task.FromResult(Listening(GatewayPort) && Listening(RulesGatewayPort) && Listening(UpstreamPort)), "nginx to listen", () => nginxOutput + ReadOrEmpty(Path.Combine(_root, "error.log")));
    }

    public Task DisposeAsync()
    {
        Gateway.Dispose();
        Portal.Dispose();
        Stop(_nginx);
        Stop(_portal);
        ShopApp.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process still closing a file; the folder is in the temp directory anyway.
        }

        return Task.CompletedTask;
    }

    public string PortalOutput()
    {
        lock (_portalOutput)
        {
            return _portalOutput.ToString();
        }
    }

    public string NginxErrorLog() => ReadOrEmpty(Path.Combine(_root, "error.log"));

    /// <summary>An open connection to the Portal's SQLite database (read-only unless asked), for what the tests look up there.</summary>
    public SqliteConnection OpenDatabase(bool readOnly = true)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "portal.db")};Mode={(readOnly ? "ReadOnly" : "ReadWrite")};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>Asks <paramref name="probe"/> until it answers, for up to 30 seconds (or <paramref name="within"/>); fails with <paramref name="what"/> otherwise.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<T?> probe, string what, TimeSpan? within = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// The shop API's endpoint rules and its choice for unmatched requests, written the way the
    /// portal stores them (the Portal is not running yet, so its API cache starts with them).
    /// </summary>
    private void WriteShopRules()
    {
        if (!ApiId.TryParse(ShopApiId, out var shop))
        {
            throw new InvalidOperationException($"'apis create' printed '{ShopApiId}', not an API id.");
        }

        using var connection = OpenDatabase(readOnly: false);
        using var transaction = connection.BeginTransaction();
        string storedId, organizationId;
        long createdAt;
        using (var read = connection.CreateCommand())
        {
            // Guids are TEXT; compare without caring how the provider spells their case.
            read.CommandText = "SELECT Id, OrganizationId, CreatedAt FROM Apis WHERE upper(Id) = upper($id)";
            read.Parameters.AddWithValue("$id", shop.ToString());
            using var reader = read.ExecuteReader();
            if (!reader.Read())
            {
                throw new InvalidOperationException($"No row in Apis for {ShopApiId}.");
            }

            (storedId, organizationId, createdAt) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
        }

        var upperCase = storedId.Any(char.IsAsciiLetterUpper);
        foreach (var (method, template, scope) in ShopRules)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO EndpointRules (Id, OrganizationId, ApiId, Method, PathTemplate, Scope, CreatedAt)
                VALUES ($id, $organization, $api, $method, $template, $scope, $createdAt)
                """;
            var id = Guid.CreateVersion7().ToString();
            insert.Parameters.AddWithValue("$id", upperCase ? id.ToUpperInvariant() : id);
            insert.Parameters.AddWithValue("$organization", organizationId);
            insert.Parameters.AddWithValue("$api", storedId);
            insert.Parameters.AddWithValue("$method", method);
            insert.Parameters.AddWithValue("$template", template);
            insert.Parameters.AddWithValue("$scope", scope);
            insert.Parameters.AddWithValue("$createdAt", createdAt);
            insert.ExecuteNonQuery();
        }

        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE Apis SET AllowUnmatchedRequests = 1 WHERE Id = $api";
            update.Parameters.AddWithValue("$api", storedId);
            update.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Gives the named key request protections, as the Portal stores them (the Portal is not running yet).</summary>
    private void WriteRateLimit(string keyName, string protectionsJson)
    {
        using var connection = OpenDatabase(readOnly: false);
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE ApiKeys SET Protections = $protections WHERE Name = $name";
        update.Parameters.AddWithValue("$protections", protectionsJson);
        update.Parameters.AddWithValue("$name", keyName);
        if (update.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"No key named '{keyName}'.");
        }
    }

    /// <summary>The documented configuration, pointed at this fixture's ports, inside a main context of our own.</summary>
    private string WriteNginxConfig()
    {
        var documented = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "gateways", "nginx.conf"));
        documented = ReplaceOnce(documented, "server 127.0.0.1:5000;", $"server 127.0.0.1:{PortalPort};");
        documented = ReplaceOnce(documented, "server 127.0.0.1:8081;", $"server 127.0.0.1:{UpstreamPort};");
        documented = ReplaceOnce(documented, "server 127.0.0.1:8082;", $"server 127.0.0.1:{ShopApp.Port};");
        documented = ReplaceOnce(documented, "listen 8080;", $"listen 127.0.0.1:{GatewayPort};");
        documented = ReplaceOnce(documented, "listen 8090;", $"listen 127.0.0.1:{RulesGatewayPort};");
        documented = ReplaceOnce(documented, "/ORDERS_API_ID?", $"/{OrdersApiId}?");
        documented = ReplaceOnce(documented, "/SHOP_API_ID?", $"/{ShopApiId}?");
        File.WriteAllText(Path.Combine(_root, "portal-auth.conf"), documented);

        // The app the keys protect: it shows what nginx passed on, so the test can see it.
        var upstream = $$"""
            server {
                listen 127.0.0.1:{{UpstreamPort}};
                location / {
                    default_type text/plain;
                    return 200 "upstream key=$http_x_key_id owner=$http_x_owner_id organization=$http_x_organization_id api=$http_x_api_id environment=$http_x_environment scopes=$http_x_scopes method=$request_method uri=$request_uri authorization=$http_authorization\n";
                }
            }
            """;
        File.WriteAllText(Path.Combine(_root, "upstream.conf"), upstream);

        // Single process, no daemon, every path in our folder: runs unprivileged and dies with Kill().
        var main = $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{_root}}/nginx.pid;
            error_log {{_root}}/error.log info;
            events { worker_connections 256; }
            http {
                access_log {{_root}}/access.log;
                client_body_temp_path {{_root}}/client_body_temp;
                proxy_temp_path {{_root}}/proxy_temp;
                fastcgi_temp_path {{_root}}/fastcgi_temp;
                uwsgi_temp_path {{_root}}/uwsgi_temp;
                scgi_temp_path {{_root}}/scgi_temp;
                include {{_root}}/upstream.conf;
                include {{_root}}/portal-auth.conf;
            }
            """;
        var path = Path.Combine(_root, "nginx.conf");
        File.WriteAllText(path, main);
        return path;
    }

    private ProcessStartInfo PortalStartInfo(string portalDll, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost(), [portalDll, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(portalDll)!,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{PortalPort}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__DataDirectory"] = DataDirectory;
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["ConnectionStrings__Portal"] = "";
        // nginx connects from loopback, a trusted proxy by default (Forwarding:TrustLoopback): its
        // X-Original-* and X-Forwarded-For are believed. Said here too, as an operator would.
        start.Environment["Forwarding__TrustedProxies__0"] = "127.0.0.1";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["PORTAL_ADMIN_PASSWORD"] = AdminPassword;
        return start;
    }

    private async Task<string> RunPortalCommandAsync(string portalDll, params string[] arguments)
    {
        var start = PortalStartInfo(portalDll, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'Portal {string.Join(' ', arguments)}' exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    private static Process Start(ProcessStartInfo start, StringBuilder output)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {start.FileName}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static void Stop(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> ready, string what, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Timed out waiting for {what}. Output so far:\n{diagnostics()}");
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ReplaceOnce(string text, string find, string replacement)
    {
        var first = text.IndexOf(find, StringComparison.Ordinal);
        if (first < 0 || text.IndexOf(find, first + find.Length, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"docs/gateways/nginx.conf must contain '{find}' exactly once; the test points it at its own port or API.");
        }

        return string.Concat(text.AsSpan(0, first), replacement, text.AsSpan(first + find.Length));
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>nginx from the PATH or Debian's /usr/sbin; a clear message when it is not installed.</summary>
    private static string FindNginx()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
        return directories.Select(d => Path.Combine(d, "nginx")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "nginx is not installed, and the gateway end-to-end tests run it. Install Debian's package: " +
                "'apt-get install -y nginx' (scripts/test.sh does this), then run the tests again.");
    }

    /// <summary>The Portal build next to this test build (same configuration): Portal/bin/&lt;Configuration&gt;/net10.0/Portal.dll.</summary>
    private static string FindPortalDll()
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var candidate = Path.Combine(RepositoryRoot(), "Portal", "bin", configuration, framework, "Portal.dll");
        if (File.Exists(candidate))
        {
            return candidate;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "Portal.dll");
        return File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "Portal.runtimeconfig.json"))
            ? beside
            : throw new InvalidOperationException($"Portal.dll was not found at {candidate}; build the solution first.");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Portal.sln above {AppContext.BaseDirectory}.");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
