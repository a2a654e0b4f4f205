using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Portal.Core.Organizations;

namespace Portal.Account;

/// <summary>
/// On a start without a platform administrator, writes the one-time setup link to the log once the
/// server listens (so the link carries a real address). The token is never stored, only its hash.
/// </summary>
internal sealed partial class SetupLinkAnnouncer(
    IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime,
    IServer server,
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

            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
                .OrderBy(a => a.StartsWith("https", StringComparison.Ordinal) ? 0 : 1).FirstOrDefault();
            var baseUrl = address is null ? "" : address.Replace("0.0.0.0", "localhost").Replace("[::]", "localhost").Replace("+", "localhost").Replace("*", "localhost").TrimEnd('/');
            LogSetupLink(logger, $"{baseUrl}/setup/{issued.Token}", issued.ExpiresAt);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSetupFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "First start: no platform administrator exists. Open {SetupLink} to create one. The link works once and expires at {ExpiresAt:u}; restart the server for a new one.")]
    private static partial void LogSetupLink(ILogger logger, string setupLink, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not issue the first-start setup link.")]
    private static partial void LogSetupFailed(ILogger logger, Exception exception);
}
