using Portal.Tests.Core.Audit;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Data;
using Portal.Tests.Auth;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Usage;

/// <summary>
/// A graceful stop loses no counts: the host's own shutdown writes what is still in memory,
/// including decisions made while the web server was still draining.
/// </summary>
public abstract class UsageShutdownTests
{
    protected abstract DatabaseProvider Provider { get; }

    [Fact]
    public async Task StopHost_AfterDecisions_StoresEveryCountWithoutAnExplicitFlush()
    {
        await using var app = new StoppableApp(Provider);
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        const int Allowed = 40;
        const int Denied = 9;
        var client = app.AnonymousClient();
        var readUrl = await app.CheckUrlAsync(owner, "orders:read");
        var writeUrl = await app.CheckUrlAsync(owner, "orders:write");
        for (var i = 0; i < Allowed + Denied; i++)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, i < Allowed ? readUrl : writeUrl).WithBearer(issued.Token));
            Assert.Equal(i < Allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
        }

        await app.StopHostAsync();

        var (usage, lastUsedAt) = await ReadFromAnotherConnectionAsync(app, issued.Key.Id);
        Assert.Equal(new Dictionary<string, long> { ["VALID"] = Allowed, ["INSUFFICIENT_SCOPE"] = Denied }, usage);
        Assert.NotNull(lastUsedAt);
    }

    [Fact]
    public async Task StopHost_RequestServedWhileServerDrains_IsCounted()
    {
        // The probe sends its requests from inside the host's shutdown, just before the web server
        // stops: the last requests a real server finishes while it drains.
        await using var app = new StoppableApp(Provider, requestsWhileDraining: 3);
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        app.Draining.Token = issued.Token;
        app.Draining.Url = await app.CheckUrlAsync(owner, "orders:read");

        await app.StopHostAsync();

        Assert.Equal(3, app.Draining.Served);
        var (usage, _) = await ReadFromAnotherConnectionAsync(app, issued.Key.Id);
        Assert.Equal(new Dictionary<string, long> { ["VALID"] = 3 }, usage);
    }

    [Fact]
    public async Task StopHost_AfterDecisions_StoresTheAuthenticationLog()
    {
        await using var app = new StoppableApp(Provider);
        var owner = await app.NewUserAsync();
        var issued = await app.CreateKeyAsync(owner, ["orders:read"]);
        var url = await app.ExtAuthzUrlAsync(owner, "/orders/1");
        for (var i = 0; i < 5; i++)
        {
            using var response = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, url).WithBearer(issued.Token));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        await app.StopHostAsync();

        await using var db = OpenDatabase(app);
        Assert.Equal(5, (await StoredLog.AllAsync(db)).Count(r => r.KeyId == issued.Key.Id));
    }

    private static async Task<(Dictionary<string, long> Usage, DateTimeOffset? LastUsedAt)> ReadFromAnotherConnectionAsync(StoppableApp app, Guid keyId)
    {
        await using var db = OpenDatabase(app);
        var rows = await db.UsageRollups.AsNoTracking().Where(r => r.KeyId == keyId).ToListAsync();
        var key = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == keyId);
        return (rows.GroupBy(r => r.Code).ToDictionary(g => g.Key, g => g.Sum(r => r.Count)), key.LastUsedAt);
    }

    /// <summary>A context of its own on the app's database, built outside the (stopped) host.</summary>
    private static PortalDbContext OpenDatabase(StoppableApp app)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = app.Provider.ToString(),
            ["ConnectionStrings:Portal"] = app.ConnectionString,
        }).Build();
        var services = new ServiceCollection().AddPortalData(configuration, app.DataDirectory).BuildServiceProvider();
        return services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
    }

    /// <summary>Sends requests through the still-running server from inside the host's shutdown.</summary>
    public sealed class DrainingRequests(int count)
    {
        public int Count { get; } = count;

        public string? Token { get; set; }

        /// <summary>The header form of the key's organization's API, with the scope the key holds.</summary>
        public string? Url { get; set; }

        public int Served { get; set; }
    }

    /// <summary>
    /// Registered right after the web server, so it stops just before the server does (hosted
    /// services stop in reverse order): the moment a real server still finishes in-flight requests.
    /// </summary>
    private sealed class DrainingProbe(DrainingRequests requests, IServer server) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (requests.Token is null || requests.Url is null || requests.Count == 0 || requests.Served > 0)
            {
                // Once only: disposing the factory stops the host a second time.
                return;
            }

            using var client = ((TestServer)server).CreateClient();
            for (var i = 0; i < requests.Count; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, requests.Url).WithBearer(requests.Token);
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    requests.Served++;
                }
            }
        }
    }

    private sealed class StoppableApp(DatabaseProvider provider, int requestsWhileDraining = 0) : DoorApp(provider)
    {
        public DrainingRequests Draining { get; } = new(requestsWhileDraining);

        /// <summary>
        /// Asks the application to stop, as SIGTERM does, and waits until the program's own shutdown
        /// has stopped every hosted service. Nothing is flushed by hand.
        /// </summary>
        public async Task StopHostAsync()
        {
            var lifetime = Services.GetRequiredService<IHostApplicationLifetime>();
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = lifetime.ApplicationStopped.Register(stopped.SetResult);
            lifetime.StopApplication();
            await stopped.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton(Draining);
                var server = services.Select((d, i) => (d, i)).Single(x => x.d.ServiceType == typeof(IHostedService) && x.d.ImplementationType?.Name == "GenericWebHostService").i;
                services.Insert(server + 1, ServiceDescriptor.Singleton<IHostedService, DrainingProbe>());
            });
        }
    }
}

public sealed class SqliteUsageShutdownTests : UsageShutdownTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgreSqlUsageShutdownTests : UsageShutdownTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}
