using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace Portal.Hosting;

/// <summary>
/// Security headers on every response: <c>Content-Security-Policy</c> (always with
/// <c>frame-ancestors 'none'</c>), <c>X-Frame-Options: DENY</c> for browsers without CSP level 2,
/// <c>X-Content-Type-Options: nosniff</c> and <c>Referrer-Policy: no-referrer</c> (links may carry
/// invitation and setup tokens, so no page tells another site where the browser came from).
/// </summary>
/// <remarks>
/// Two steps. <see cref="UseBaselineSecurityHeaders"/> runs first of all, ahead of the gateway
/// doors, and sets constant values (the strictest policy, <c>default-src 'none'</c>): the doors'
/// answers are problem JSON or empty, which Traefik and Envoy pass to the client on a denial, and
/// four static header values cost them no allocation. <see cref="UsePageSecurityHeaders"/> runs
/// after the doors and sets, when the response starts (so after an exception handler has cleared
/// the headers), the policy of what is being served: the portal's, the API reference's or the
/// jobs dashboard's.
/// </remarks>
public static class SecurityHeaders
{
    /// <summary>Answers that are not pages (the doors, JSON): nothing may load, nothing may frame them.</summary>
    public const string NonPagePolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The portal (Blazor Server with MudBlazor). Scripts only from the portal itself, plus the
    /// import map Blazor writes inline, admitted by a per-response nonce; styles may be inline
    /// because MudBlazor sets <c>style</c> attributes and writes its theme as a <c>&lt;style&gt;</c>
    /// element; <c>connect-src 'self'</c> admits the circuit's WebSocket to the same origin; no
    /// <c>unsafe-eval</c>.
    /// </summary>
    public const string PortalPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The API reference at <c>/api/docs</c> (Scalar): its page starts the reference with an inline
    /// module script it writes itself (no nonce can be given to it), and the reference sets inline
    /// styles and loads images as data URIs. Nothing is loaded from elsewhere.
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The Hangfire dashboard at <c>/hangfire</c>: its own scripts, inline styles (charts, progress bars).</summary>
    public const string JobsDashboardPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private const string ApiReferencePath = "/api/docs";
    private const string JobsDashboardPath = "/hangfire";
    private const string NonceItem = "Portal.Hosting.SecurityHeaders.Nonce";

    // StringValues made once: assigning them costs a request nothing.
    private static readonly StringValues NoSniff = "nosniff";
    private static readonly StringValues Deny = "DENY";
    private static readonly StringValues NoReferrer = "no-referrer";
    private static readonly StringValues NonPage = NonPagePolicy;
    private static readonly StringValues Portal = PortalPolicy;
    private static readonly StringValues ApiReference = ApiReferencePolicy;
    private static readonly StringValues JobsDashboard = JobsDashboardPolicy;

    /// <summary>The constant headers, set on every request before anything else runs (the gateway doors included).</summary>
    public static IApplicationBuilder UseBaselineSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            Set(context.Response.Headers, NonPage);
            return next(context);
        });

    /// <summary>The policy of what is served (a portal page, the API reference, the jobs dashboard, anything else), set as the response starts.</summary>
    public static IApplicationBuilder UsePageSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var context = (HttpContext)state;
                Set(context.Response.Headers, PolicyFor(context));
                return Task.CompletedTask;
            }, context);
            return next(context);
        });

    /// <summary>
    /// This response's script nonce (128 random bits, base64url), made on first use; the portal's
    /// policy then admits inline scripts carrying it. For the import map, the one inline script.
    /// </summary>
    public static string Nonce(HttpContext context)
    {
        if (context.Items.TryGetValue(NonceItem, out var existing) && existing is string nonce)
        {
            return nonce;
        }

        // base64url (allowed by CSP's nonce grammar): no '+' or '/' for the HTML encoder to escape.
        nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceItem] = nonce;
        return nonce;
    }

    private static StringValues PolicyFor(HttpContext context)
    {
        // Only a document runs anything; JSON, scripts and styles keep the strict policy (an SVG
        // or a problem body opened directly cannot run script either).
        if (context.Response.ContentType is not { } type || !type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return NonPage;
        }

        // The jobs dashboard answers with its own path base (/hangfire) and a path under it.
        if (IsUnder(context.Request, ApiReferencePath))
        {
            return ApiReference;
        }

        if (IsUnder(context.Request, JobsDashboardPath))
        {
            return JobsDashboard;
        }

        return context.Items.TryGetValue(NonceItem, out var nonce) && nonce is string value
            ? PortalPolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{value}'", StringComparison.Ordinal)
            : Portal;
    }

    private static bool IsUnder(HttpRequest request, string prefix) =>
        request.PathBase.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase);

    private static void Set(IHeaderDictionary headers, StringValues policy)
    {
        headers.ContentSecurityPolicy = policy;
        headers.XFrameOptions = Deny;
        headers.XContentTypeOptions = NoSniff;
        headers["Referrer-Policy"] = NoReferrer;
    }
}
