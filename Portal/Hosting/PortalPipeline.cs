using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Api;
using Portal.Api.Gateway;
using Portal.Components;
using Portal.Core.Data;
using Portal.Jobs;

namespace Portal.Hosting;

public static class PortalPipeline
{
    /// <summary>Migrates the database when configured to, before the first request is served.</summary>
    public static async Task PreparePortalAsync(this WebApplication app)
    {
        var database = app.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (database.MigrateOnStart)
        {
            await app.Services.MigratePortalDatabaseAsync();
        }
    }

    public static void UsePortal(this WebApplication app)
    {
        // The gateway door first, then routing (explicitly, so that the door skips it).
        app.UseGatewayDoors();
        app.UseRouting();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (!app.Environment.IsDevelopment())
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
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
