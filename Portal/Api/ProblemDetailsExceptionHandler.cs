using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Portal.Core;

namespace Portal.Api;

/// <summary>
/// Turns domain and request-parsing exceptions into RFC 7807 ProblemDetails whose errors name the
/// field at fault. Anything else is left to the default handler (500, no details leaked).
/// </summary>
internal sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, errors) = exception switch
        {
            InvalidRequestException e => (StatusCodes.Status400BadRequest, "The request is invalid.", e.Errors),
            ConflictException e => (StatusCodes.Status409Conflict, "The request conflicts with the current state.", Errors(e.Field, e.Message)),
            AccessDeniedException e => (StatusCodes.Status403Forbidden, e.Message, null),
            NotFoundException e => (StatusCodes.Status404NotFound, e.Message, Errors(e.Field, e.Message)),
            BadHttpRequestException { InnerException: JsonException json } => (StatusCodes.Status400BadRequest, "The request body is not valid JSON for this endpoint.", Errors(JsonField(json.Path), Describe(json))),
            BadHttpRequestException e when BoundParameter(e.Message) is { } parameter => (e.StatusCode, "The request is invalid.", Errors(parameter, $"This is not a valid value for '{parameter}'.")),
            BadHttpRequestException e => (e.StatusCode, BadRequestTitle(e), Errors("body", e.Message)),
            _ => (0, "", null),
        };
        if (status == 0)
        {
            return false;
        }

        context.Response.StatusCode = status;
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title };
        if (exception is AccessDeniedException { Code: { } code })
        {
            // A key's grants decided: the same reason code the doors give.
            details.Extensions["code"] = code;
        }

        if (errors is not null)
        {
            details.Extensions["errors"] = errors;
            details.Detail = string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details, Exception = exception });
    }

    private static IReadOnlyDictionary<string, string[]> Errors(string field, string message) =>
        new Dictionary<string, string[]> { [field] = [message] };

    private static string BadRequestTitle(BadHttpRequestException e) => e.StatusCode switch
    {
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        _ => "The request is invalid.",
    };

    /// <summary>
    /// The parameter of a route or query value that did not bind: <c>Failed to bind parameter "int limit" from "many".</c>
    /// gives <c>limit</c>; null for any other message.
    /// </summary>
    private static string? BoundParameter(string message)
    {
        const string start = "Failed to bind parameter \"";
        var end = message.StartsWith(start, StringComparison.Ordinal) ? message.IndexOf('"', start.Length) : -1;
        if (end < 0)
        {
            return null;
        }

        var declaration = message[start.Length..end];
        return declaration[(declaration.LastIndexOf(' ') + 1)..];
    }

    /// <summary>"$.scopes[0]" becomes "scopes[0]"; the root becomes "body".</summary>
    private static string JsonField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    private static string Describe(JsonException json)
    {
        // System.Text.Json's messages name .NET types; keep the first sentence, which is the useful one.
        var message = json.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return "This field is not part of the request.";
        }

        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
