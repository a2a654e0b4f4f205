using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Account;
using Portal.Core.Usage;

namespace Portal.Api.Usage;

/// <summary>
/// A usage chart's data as CSV for the signed-in user (cookie): an organization's
/// (<c>/orgs/{id}/usage.csv</c>), one key's (<c>/orgs/{id}/keys/{keyId}/usage.csv</c>) or the
/// platform's (<c>/platform/usage.csv</c>). Query: <c>chart</c> (timeline, reasons, keys,
/// endpoints, latency), <c>range</c> (1h, 24h, 7d, 30d, custom) and for custom <c>from</c>/<c>to</c>.
/// Same visibility as the pages: what the caller may not see is 404, like an id that does not exist.
/// </summary>
public static class UsageExport
{
    public static IEndpointRouteBuilder MapUsageExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orgs/{organizationId:guid}/usage.csv", Organization).RequireAuthorization().ExcludeFromDescription();
        app.MapGet("/orgs/{organizationId:guid}/keys/{keyId:guid}/usage.csv", Key).RequireAuthorization().ExcludeFromDescription();
        app.MapGet("/platform/usage.csv", Platform).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    /// <summary>The export URL for a chart, as the pages link to it.</summary>
    public static string Url(UsageScope scope, string chart, string range, DateTimeOffset? from, DateTimeOffset? to)
    {
        var path = scope.Kind switch
        {
            UsageScopeKind.Platform => "/platform/usage.csv",
            UsageScopeKind.Organization => $"/orgs/{scope.OrganizationId}/usage.csv",
            _ => $"/orgs/{scope.OrganizationId}/keys/{scope.KeyId}/usage.csv",
        };
        var query = new Dictionary<string, string?> { ["chart"] = chart, ["range"] = range };
        if (range == "custom")
        {
            query["from"] = from?.ToString("O");
            query["to"] = to?.ToString("O");
        }

        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, query);
    }

    private static Task<Results<FileContentHttpResult, NotFound>> Organization(
        Guid organizationId, HttpContext context, UsageCsv csv, TimeProvider time,
        [FromQuery] string? chart, [FromQuery] string? range, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to) =>
        ExportAsync(context, csv, UsageScope.ForOrganization(organizationId), UsageRange.Parse(range, from, to, time.GetUtcNow()), chart, $"usage-{organizationId:N}");

    private static Task<Results<FileContentHttpResult, NotFound>> Key(
        Guid organizationId, Guid keyId, HttpContext context, UsageCsv csv, TimeProvider time,
        [FromQuery] string? chart, [FromQuery] string? range, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to) =>
        ExportAsync(context, csv, UsageScope.ForKey(organizationId, keyId), UsageRange.Parse(range, from, to, time.GetUtcNow()), chart, $"usage-key-{keyId:N}");

    private static Task<Results<FileContentHttpResult, NotFound>> Platform(
        HttpContext context, UsageCsv csv, TimeProvider time,
        [FromQuery] string? chart, [FromQuery] string? range, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to) =>
        ExportAsync(context, csv, UsageScope.Platform, UsageRange.Parse(range, from, to, time.GetUtcNow()), chart, "usage-platform");

    private static async Task<Results<FileContentHttpResult, NotFound>> ExportAsync(
        HttpContext context, UsageCsv csv, UsageScope scope, UsageRange range, string? chart, string name)
    {
        var caller = PortalCaller.From(context.User, context.Connection.RemoteIpAddress?.ToString())!;
        var lines = await csv.LinesAsync(caller, scope, range, chart, context.RequestAborted);
        if (lines is null)
        {
            return TypedResults.NotFound();
        }

        var body = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");
        return TypedResults.File(body, "text/csv; charset=utf-8", $"{name}-{chart ?? "timeline"}.csv");
    }
}
