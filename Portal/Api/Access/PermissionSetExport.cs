using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Account;
using Portal.Core.Access;

namespace Portal.Api.Access;

/// <summary>
/// <c>GET /orgs/{organizationId}/access/sets/{id}/export.json</c>: a permission set as a file to
/// import elsewhere, for the signed-in member (cookie). Another organization's set is not found.
/// </summary>
public static class PermissionSetExportEndpoint
{
    public static IEndpointRouteBuilder MapPermissionSetExport(this IEndpointRouteBuilder app)
    {
        app.MapGet("/orgs/{organizationId:guid}/access/sets/{id:guid}/export.json", ExportAsync).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ExportAsync(Guid organizationId, Guid id, HttpContext context, PermissionSetCatalog sets)
    {
        var caller = PortalCaller.From(context.User, context.Connection.RemoteIpAddress?.ToString())!;
        var set = await sets.FindAsync(caller, id, context.RequestAborted);
        if (set is null || set.OrganizationId != organizationId)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.File(new UTF8Encoding(false).GetBytes(PermissionSetCatalog.Export(set)), "application/json", $"permission-set-{FileSafe(set.Name)}.json");
    }

    private static string FileSafe(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '-')]).Trim('-');
        return safe.Length == 0 ? "export" : safe;
    }
}
