using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Portal.Core.Organizations;
using Portal.Hosting;

namespace Portal.Account;

/// <summary>
/// On a start without a platform administrator, writes the one-time setup link to the log once the
/// server listens (so the link carries a real address). The token is never stored, only its hash.
/// </summary>
internal sealed partial class SetupLinkAnnouncer(
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IServer server,
    PublicLinks links,
    ILogger<SetupLinkAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = AnnounceAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task AnnounceAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<PlatformSetup>().IssueAsync(lifetime.ApplicationStopping) is not { } issued)
            {
                return;
            }

            LogSetupLink(logger, $"{BaseUrl()}/setup/{issued.Token}", issued.ExpiresAt);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSetupFailed(logger, e);
        }
    }

    // PublicUrl when set; else the first address the server listens on, https first, with a
    // wildcard host written as localhost (the operator reads the log on the machine itself).
    private string BaseUrl()
    {
        if (links.Configured is { } configured)
        {
            return configured.ToString().TrimEnd('/');
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .OrderBy(a => a.StartsWith("https", StringComparison.Ordinal) ? 0 : 1).FirstOrDefault();
        return address is null ? "" : address.Replace("0.0.0.0", "localhost").Replace("[::]", "localhost").Replace("+", "localhost").Replace("*", "localhost").TrimEnd('/');
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "First start: no platform administrator exists. Open {SetupLink} to create one. The link works once and expires at {ExpiresAt:u}; restart the server for a new one.")]
    private static partial void LogSetupLink(ILogger logger, string setupLink, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not issue the first-start setup link.")]
    private static partial void LogSetupFailed(ILogger logger, Exception exception);
}
