using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Sessions;

namespace Portal.Hosting;

/// <summary>The portal's browser side: cookies, key ring, account pages, organization services.</summary>
public static class PortalUiServices
{
    public static IServiceCollection AddPortalUi(this WebApplicationBuilder builder)
    {
        // `dotnet run` starts in Production without a launch profile; this lets the build output
        // serve package assets (MudBlazor, blazor.web.js) too. A published app does not need it.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        var configuration = builder.Configuration;
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddScoped<OrganizationDirectory>();
        services.AddScoped<AuditQuery>();
        services.AddScoped<PlatformSetup>();

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddScoped<PortalCaller>();
        services.AddHostedService<SetupLinkAnnouncer>();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/account/login";
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = "/account/access-denied";
            cookie.Cookie.Name = "portal.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the request is HTTPS; plain HTTP is only for loopback development.
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = UserSessions.IdleLifetime;
            cookie.SlidingExpiration = true;
            // Every request asks whether the cookie's session still lives (in place of Identity's 30-minute stamp check).
            cookie.Events.OnValidatePrincipal = SessionCookieValidation.ValidatePrincipalAsync;
        });
        // Identity still checks the "remember this browser" cookie against the security stamp: on
        // every use, so a 2FA change forgets remembered browsers at once rather than after 30 minutes.
        services.Configure<SecurityStampValidatorOptions>(stamp => stamp.ValidationInterval = TimeSpan.Zero);
        services.Configure<IdentityOptions>(identity => identity.Lockout.AllowedForNewUsers = true);

        services.AddOptions<MasterKeyOptions>().BindConfiguration(MasterKeyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MasterKeyOptions>, MasterKeyOptionsValidator>();
        var dataDirectory = PortalCoreServiceCollectionExtensions.DataDirectory(configuration, contentRoot);
        services.AddSingleton(sp => MasterKey.Load(sp.GetRequiredService<IOptions<MasterKeyOptions>>().Value, dataDirectory));
        services.AddDataProtection().SetApplicationName("api-key-portal").PersistKeysToDbContext<PortalDbContext>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(options => options.XmlEncryptor = new MasterKeyXmlEncryptor(sp.GetRequiredService<MasterKey>())));
        return services;
    }

    public static void MapPortalUi(this WebApplication app) => app.MapAccountEndpoints();
}
