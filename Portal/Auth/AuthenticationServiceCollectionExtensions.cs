using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Portal.Core.Access;

namespace Portal.Auth;

public static class AuthenticationServiceCollectionExtensions
{
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder) =>
        builder.AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.AuthenticationScheme, null);

    /// <summary>The ApiKey scheme beside Identity's cookie, and a policy per product scope.</summary>
    public static IServiceCollection AddPortalAuthentication(this IServiceCollection services)
    {
        services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ClientAddressResolver>();
        services.AddAuthentication().AddApiKey();
        services.AddSingleton<IAuthorizationHandler, ScopeRequirementHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Scope.KeysManage, policy => policy.RequireScope(Scope.KeysManage, Scope.KeysAdmin))
            .AddPolicy(Scope.KeysVerify, policy => policy.RequireScope(Scope.KeysVerify))
            .AddPolicy(Scope.PoliciesManage, policy => policy.RequireScope(Scope.PoliciesManage))
            .AddPolicy(Scope.ApisRead, policy => policy.RequireScope(Scope.ApisRead, Scope.ApisManage))
            .AddPolicy(Scope.ApisManage, policy => policy.RequireScope(Scope.ApisManage))
            .AddPlatformAdministratorPolicy();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, PlatformAdministratorResultHandler>();
        return services;
    }
}
