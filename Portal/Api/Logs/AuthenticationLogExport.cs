using System.Text;
using Microsoft.AspNetCore.Mvc;
using Portal.Account;
using Portal.Core.Audit;
using Portal.Core.Permissions;

namespace Portal.Api.Logs;

/// <summary>
/// <c>GET /orgs/{organizationId}/logs.csv</c>: the portal's authentication log view as CSV, for the
/// signed-in user (cookie), with the same filters and visibility rules as the page. A range over
/// <c>LogQueries:MaxRangeDays</c> is refused (400 naming <c>from</c>); an export that stops at its
/// row or read budget ends with the line "More results: narrow the filter …".
/// </summary>
public static class AuthenticationLogExport
{
    public static IEndpointRouteBuilder MapAuthenticationLogExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orgs/{organizationId:guid}/logs.csv", ExportAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task ExportAsync(
        Guid organizationId,
        HttpContext context,
        AuthenticationLogQuery log,
        PermissionEvaluator permissions,
        [FromQuery] DateTimeOffset? from,
        [FromQuery] DateTimeOffset? to,
        [FromQuery] Guid? key,
        [FromQuery] string? outcome,
        [FromQuery] string? ip,
        [FromQuery] string? path)
    {
        var caller = PortalCaller.From(context.User, context.Connection.RemoteIpAddress?.ToString())!;
        if (!await permissions.MayAsync(caller, PortalAction.ViewAuthenticationLog, organizationId, cancellationToken: context.RequestAborted))
        {
            // Like the other exports: an organization the caller may not read is not found.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var filter = new AuthenticationLogFilter(organizationId, from, to, key, outcome, ip, path);
        // Refuses a bad range before the response starts, so the refusal can still be a ProblemDetails.
        var lines = log.ExportCsvAsync(caller, filter, context.RequestAborted);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"authentication-log-{organizationId:N}.csv\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await foreach (var line in lines)
        {
            await writer.WriteLineAsync(line);
        }
    }
}

public static class AuthenticationLogFilterQuery
{
    /// <summary>The filter as the export endpoint's query string.</summary>
    public static Dictionary<string, string?> ToQuery(this AuthenticationLogFilter filter) => new()
    {
        ["from"] = filter.From?.ToString("O"),
        ["to"] = filter.To?.ToString("O"),
        ["key"] = filter.KeyId?.ToString(),
        ["outcome"] = filter.Outcome,
        ["ip"] = filter.ClientIp,
        ["path"] = filter.Path,
    };
}
