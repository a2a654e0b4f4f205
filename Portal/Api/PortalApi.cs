using Portal.Api.Access;
using Portal.Api.Apis;
using Portal.Api.Gateway;
using Portal.Api.Keys;
using Portal.Api.Leaks;
using Portal.Api.Logs;
using Portal.Api.Usage;
using Portal.Api.Organizations;
using Portal.Api.Verify;
using Portal.Hosting;
using Scalar.AspNetCore;

namespace Portal.Api;

public static class PortalApi
{
    public static IServiceCollection AddPortalApi(this IServiceCollection services)
    {
        services.AddPortalJson();
        services.AddSingleton<GatewayCheck>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // The router answers 415 itself, before any endpoint runs: name the body as the field at fault.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && !context.ProblemDetails.Extensions.ContainsKey("errors"))
            {
                context.ProblemDetails.Title = "Send the body as application/json.";
                context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = ["The body must be sent as application/json."] };
            }
        });
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        // Malformed bodies throw so the exception handler can answer with a ProblemDetails naming the field.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "API Key Portal";
            document.Info.Description = "Manage API keys and validate them for apps and gateways.";
            return Task.CompletedTask;
        }));
        return services;
    }

    public static void MapPortalApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        // Fonts and telemetry would come from and go to Scalar's servers; the page's policy keeps it on this origin.
        app.MapScalarApiReference("/api/docs", options => options.WithTitle("API Key Portal API").DisableDefaultFonts().DisableTelemetry());
        app.MapVerifyEndpoints();
        app.MapLeakReportEndpoints();
        app.MapGroup("/api/v1/keys").MapKeysEndpoints();
        app.MapGroup("/api/v1/organizations").MapPoliciesEndpoints();
        app.MapGroup("/api/v1/apis").MapApisEndpoints();
        app.MapGatewayEndpoints();
        app.MapAuthenticationLogExport();
        app.MapPermissionSetExport();
        app.MapUsageExport();
    }
}
