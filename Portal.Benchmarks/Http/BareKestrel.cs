using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Benchmarks.Http;

/// <summary>
/// A Kestrel server with nothing in its pipeline: every request gets 200 with an empty body, no
/// routing, no middleware, Production environment, logging at Warning, Kestrel's defaults. It is
/// the floor that scripts/bench-http.sh holds the portal's ping and check endpoints against, so
/// the figures say what the portal adds over the web server itself on the same machine.
/// Run: dotnet Portal.Benchmarks.dll bare-kestrel --urls http://127.0.0.1:5005
/// </summary>
internal static class BareKestrel
{
    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            EnvironmentName = Environments.Production,
            // Not the working directory: the repository's appsettings.json carries the portal's own
            // Kestrel limits and log levels, and the baseline keeps Kestrel's defaults.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var app = builder.Build();
        app.Run(static _ => Task.CompletedTask);
        await app.RunAsync();
    }
}
