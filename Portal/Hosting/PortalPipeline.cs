using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Api;
using Portal.Api.Gateway;
using Portal.Components;
using Portal.Core.Data;
using Portal.Jobs;

namespace Portal.Hosting;

public static class PortalPipeline
{
    /// <summary>
    /// Before the first request is served: makes the data folder and SQLite files owner-only,
    /// migrates the database when configured to, then seals second-factor secrets that an earlier
    /// version stored in clear.
    /// </summary>
    public static async Task PreparePortalAsync(this WebApplication app)
    {
        app.Services.SecureDataFiles();
        var database = app.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (database.MigrateOnStart)
        {
            await app.Services.MigratePortalDatabaseAsync();
        }

        await app.Services.SealClearTwoFactorSecretsAsync();
    }

    /// <summary>
    /// The middleware, in order: security headers, the gateway doors (ahead of everything else),
    /// trusted forwarded scheme and host, cookie policy, routing, errors, HSTS, authentication,
    /// authorization, antiforgery.
    /// </summary>
    public static void UsePortal(this WebApplication app)
    {
        var publicUrl = app.Services.GetRequiredService<IOptions<PublicUrlOptions>>().Value;

        // Constant security headers on everything, the gateway doors' answers included.
        app.UseBaselineSecurityHeaders();
        // The gateway door next, then routing (explicitly, so that the door skips it). The door
        // reads the request exactly as its gateway sent it: forwarded scheme and host are applied
        // only after it, and never the client address, which ClientAddressResolver reads itself.
        app.UseGatewayDoors();
        app.UseForwardedSchemeAndHost();
        app.UsePageSecurityHeaders();
        // Ahead of everything that writes a cookie (sign-in, antiforgery, two-factor).
        app.UseCookiePolicy(new CookiePolicyOptions
        {
            Secure = publicUrl.IsHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest,
        });
        app.UseRouting();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (publicUrl.IsHttps && !app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
    }

    public static void MapPortal(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapPortalApi();
        app.MapStaticAssets();
        app.MapPortalUi();
        app.MapPortalJobs();
        // frame-ancestors comes with every response's Content-Security-Policy (SecurityHeaders);
        // Blazor's own header would be a second policy, and a laxer one ('self').
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);
    }
}
