using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Sessions;

public static class SessionServiceCollectionExtensions
{
    /// <summary>Portal sessions: <see cref="UserSessions"/> and its validated <see cref="SessionCheckOptions"/>.</summary>
    public static IServiceCollection AddPortalSessions(this IServiceCollection services)
    {
        services.AddOptions<SessionCheckOptions>().BindConfiguration(SessionCheckOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UserSessions>();
        return services;
    }
}
