using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Portal.Core;

namespace Portal.Api;

/// <summary>
/// A request body whose lists have documented maxima. <see cref="CheckBounds"/> looks at counts
/// only (never at the items), so it costs the same for a list of one and a list of a million, and
/// it runs before any validation walks the lists.
/// </summary>
public interface IBoundedRequest
{
    /// <summary>Adds one message per list over its maximum, under the field's JSON name (<c>grants[3].resources</c>).</summary>
    void CheckBounds(Dictionary<string, string[]> errors);
}

/// <summary>
/// Per-endpoint request limits for the management API: a body size far below the server-wide
/// <c>Kestrel:Limits:MaxRequestBodySize</c>, chosen from the largest body the endpoint's list maxima
/// allow, and the list maxima themselves (<see cref="IBoundedRequest"/>). A body over the size is
/// answered 413, a list over its maximum 400, both as ProblemDetails naming the field; the handler
/// never runs, so nothing is written.
/// </summary>
public static class RequestLimits
{
    /// <summary>
    /// Limits the bodies of every endpoint the builder maps to <paramref name="maxBodyBytes"/> and checks
    /// the list maxima of bound <see cref="IBoundedRequest"/> bodies before the handler runs.
    /// </summary>
    /// <remarks>
    /// The <see cref="RequestSizeLimitAttribute"/> metadata makes Kestrel stop reading at the limit
    /// (the routing middleware applies it). The body is also read here, up to the limit, before the
    /// handler's JSON binding starts: a body announced larger is refused unread, and a chunked body
    /// that grows past the limit is refused the same way on every server, the test server included.
    /// </remarks>
    public static TBuilder WithRequestLimits<TBuilder>(this TBuilder builder, long maxBodyBytes)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequestSizeLimitAttribute(maxBodyBytes));
        builder.Add(endpoint =>
        {
            if (endpoint.RequestDelegate is { } next)
            {
                endpoint.RequestDelegate = async context =>
                {
                    await BufferBodyAsync(context, maxBodyBytes);
                    await next(context);
                };
            }
        });
        builder.AddEndpointFilter(static async (context, next) =>
        {
            Dictionary<string, string[]>? errors = null;
            foreach (var argument in context.Arguments)
            {
                if (argument is IBoundedRequest bounded)
                {
                    errors ??= [];
                    bounded.CheckBounds(errors);
                }
            }

            if (errors is not null)
            {
                InvalidRequestException.ThrowIfAny(errors);
            }

            return await next(context);
        });
        return builder;
    }

    /// <summary>Adds a message when a list in a request is longer than its maximum.</summary>
    public static void Limit<T>(IReadOnlyCollection<T>? list, int max, string field, string what, Dictionary<string, string[]> errors)
    {
        if (list is not null && list.Count > max)
        {
            errors[field] = [$"At most {max} {what} ({list.Count} were sent)."];
        }
    }

    private static async Task BufferBodyAsync(HttpContext context, long maxBodyBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBodyBytes)
        {
            throw TooLarge(maxBodyBytes);
        }

        // A request without a body (most GETs) costs nothing here.
        if (request.ContentLength == 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return;
        }

        var buffer = new MemoryStream((int)Math.Min(request.ContentLength ?? 4 * 1024, maxBodyBytes));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBodyBytes)
            {
                throw TooLarge(maxBodyBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        request.Body = buffer;
        context.Response.RegisterForDispose(buffer);
    }

    private static BadHttpRequestException TooLarge(long maxBodyBytes) =>
        new($"The body must be at most {maxBodyBytes / 1024} KB ({maxBodyBytes} bytes) for this endpoint.", StatusCodes.Status413PayloadTooLarge);
}
