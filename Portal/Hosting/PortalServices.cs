using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using Portal.Account;
using Portal.Api;
using Portal.Auth;
using Portal.Core;
using Portal.Core.Data;
using Portal.Core.Organizations;
using Portal.Core.Sessions;
using Portal.Core.TwoFactor;
using Portal.Core.Webhooks;
using Portal.Jobs;

namespace Portal.Hosting;

public static class PortalServices
{
    /// <summary>Everything the web host, the command line and the tests share.</summary>
    public static void AddPortalServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddPortalCore(builder.Configuration, builder.Environment.ContentRootPath);

        services.AddIdentity<PortalUser, IdentityRole<Guid>>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // The user name is the email address, checked by Portal.Core's one email rule
                // (EmailAddresses): Identity's character list would refuse o'brien@example.com.
                options.User.AllowedUserNameCharacters = "";
                // Length over composition rules (NIST SP 800-63B).
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireDigit = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            // Ahead of the EF stores, which then keep it: second-factor secrets sealed at rest.
            .AddUserStore<PortalUserStore>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddDefaultTokenProviders()
            // Under Identity's own name: every authenticator code check accepts each code once.
            .AddTokenProvider<OneTimeAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddSingleton<RecoveryCodeHashes>();
        services.AddScoped(sp => (PortalSignInManager)sp.GetRequiredService<SignInManager<PortalUser>>());
        services.AddPortalSessions();

        services.AddPortalEdge(builder.Configuration);
        services.AddPortalMail();
        services.AddPortalAuthentication();
        services.AddPortalApi();
        services.AddHealthChecks().AddDbContextCheck<PortalDbContext>("database", tags: ["ready"]);

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        builder.AddPortalUi();
        builder.AddPortalJobs();
        // Loopback http webhooks are for trying the product locally; elsewhere only https unless set.
        services.PostConfigure<WebhookOptions>(webhooks => webhooks.AllowLoopbackHttp ??= builder.Environment.IsDevelopment());
    }

    /// <summary>What faces the network edge: the public URL and links built on it, HSTS, and the antiforgery header left to SecurityHeaders.</summary>
    private static void AddPortalEdge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PublicUrlOptions>()
            .Configure(options => options.Url = configuration[PublicUrlOptions.Key])
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<IPortalOwnAddresses, PortalOwnHosts>();
        // A year, the common recommendation once https is settled; subdomains are the operator's
        // to decide (another service may still serve plain http there), so they are not included.
        services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        // Antiforgery would add X-Frame-Options: SAMEORIGIN; every response already says DENY.
        services.AddAntiforgery(antiforgery => antiforgery.SuppressXFrameOptionsHeader = true);
    }

    public static void ConfigurePortalJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // One value per field: a proxy that reads the first "scopes" must not see another body than ours.
        json.AllowDuplicateProperties = false;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    internal static IServiceCollection AddPortalJson(this IServiceCollection services) =>
        services.Configure<JsonOptions>(options => ConfigurePortalJson(options.SerializerOptions));
}
