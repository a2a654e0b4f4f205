using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Portal.Auth;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Api.Gateway;

/// <summary>
/// The gateway door, bound to the API it protects, in two forms (any method):
/// <list type="bullet">
/// <item>header form, <c>/api/v1/auth/check/{apiId}[?scope=…]</c>, for nginx <c>auth_request</c>
/// and Traefik ForwardAuth: the original method and URI come from <c>X-Original-Method</c>/<c>X-Original-URI</c>
/// or <c>X-Forwarded-Method</c>/<c>X-Forwarded-Uri</c>, believed only from a trusted proxy; the
/// query string is the gateway's configuration and may name the scope;</item>
/// <item>path form, <c>/api/v1/auth/ext-authz/{apiId}/{client path and query}</c>, for Envoy and
/// Istio <c>ext_authz</c>: the client's target is read from the raw request target, its query is
/// the client's and never names a scope, and no forwarding header is read for method or path.</item>
/// </list>
/// 200 allows and names the key in <c>X-Auth-*</c> headers: <c>X-Auth-Scopes</c> lists only the
/// scopes the key holds at the moment of the decision without conditions, and
/// <see cref="ResourceFiltersHeader"/> the ones it holds then for some resources only. Refusals take
/// their status from <see cref="ReasonCodes.StatusOf"/>, as at every door: 401 for a missing, bad or
/// foreign key (<see cref="BearerChallenge"/>); 403 with <c>X-Auth-Code</c> when the key may not make this request. 404 for an unknown API.
/// Written as raw request delegates: this is the hottest path of the product.
/// </summary>
public sealed class GatewayCheck(KeyValidator validator, DecisionRecorder recorder, ClientAddressResolver addresses, ApiPolicyCache apis)
{
    public const string HeaderFormPrefix = "/api/v1/auth/check/";
    public const string HeaderFormPattern = HeaderFormPrefix + "{apiId}";
    public const string PathFormPrefix = "/api/v1/auth/ext-authz/";

    private static readonly byte[] Unauthorized = Problem(401, "Unauthorized", "See the X-Auth-Code header for the reason.");
    private static readonly byte[] Forbidden = Problem(403, "Forbidden", "See the X-Auth-Code header for the reason.");
    private static readonly byte[] TooManyRequests = Problem(429, "Too Many Requests", "See the X-Auth-Code header for the reason and Retry-After for when to retry.");
    private static readonly byte[] UnknownApi = Problem(404, "Not Found", "No API has this id: copy the check URL from the API's page.");
    private static readonly byte[] BadScope = Encoding.UTF8.GetBytes(
        """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"scope":["The check URL names at most one scope, as resource:action (e.g. ?scope=orders:read), and limits=403 at most once, with no other value."]}}""");

    /// <summary>
    /// The header form's switch for nginx, <c>?limits=403</c>: rate limits and quotas answer 403 (with
    /// <c>X-Auth-Code</c> and <c>Retry-After</c>) instead of 429, which <c>auth_request</c> cannot pass on.
    /// </summary>
    public const string LimitsParameter = "limits";

    [ThreadStatic]
    private static QueryScope? t_lastQuery;

    [ThreadStatic]
    private static KeyHeaders? t_lastKey;

    /// <summary>
    /// Answers a request to either form of the door ahead of routing and the rest of the pipeline,
    /// which a gateway's every request would otherwise pay for; false when the path is neither form
    /// (the request goes on, and an unbound or malformed door URL ends as routing's 404).
    /// </summary>
    public bool TryHandle(HttpContext context, [NotNullWhen(true)] out Task? handled)
    {
        var path = context.Request.Path.Value.AsSpan();
        if (path.StartsWith(HeaderFormPrefix, StringComparison.OrdinalIgnoreCase) && path[HeaderFormPrefix.Length..] is { Length: > 0 } id && id.IndexOf('/') < 0)
        {
            handled = HandleHeaderFormAsync(context, IdOf(id));
            return true;
        }

        if (path.StartsWith(PathFormPrefix, StringComparison.OrdinalIgnoreCase) && path[PathFormPrefix.Length..] is { Length: > 0 } rest)
        {
            var slash = rest.IndexOf('/');
            handled = HandlePathFormAsync(context, IdOf(slash < 0 ? rest : rest[..slash]));
            return true;
        }

        handled = null;
        return false;
    }

    /// <summary>The header form, for nginx <c>auth_request</c> and Traefik ForwardAuth; <paramref name="apiId"/> null for a text that is no API id.</summary>
    public async Task HandleHeaderFormAsync(HttpContext context, Guid? apiId)
    {
        var start = Stopwatch.GetTimestamp();
        if (await ApiOfAsync(apiId, context.RequestAborted) is not { } api)
        {
            await WriteAsync(context.Response, StatusCodes.Status404NotFound, UnknownApi, context.RequestAborted);
            return;
        }

        var request = context.Request;
        var query = ScopeOf(request.QueryString.Value);
        if (!query.IsValid)
        {
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest, BadScope, context.RequestAborted);
            return;
        }

        string? method = request.Method;
        string? target = null;
        var refused = false;
        if (addresses.IsTrustedPeer(context))
        {
            refused = !TryReadForwarded(request.Headers, ref method, out target);
        }

        await DecideAsync(context, api, Doors.Check, method, target, 0, query.Scope, refused, start, query.LimitsAs403);
    }

    /// <summary>The path form, for Envoy and Istio <c>ext_authz</c> with <c>path_prefix</c>; <paramref name="apiId"/> null for a text that is no API id.</summary>
    public async Task HandlePathFormAsync(HttpContext context, Guid? apiId)
    {
        var start = Stopwatch.GetTimestamp();
        if (await ApiOfAsync(apiId, context.RequestAborted) is not { } api)
        {
            await WriteAsync(context.Response, StatusCodes.Status404NotFound, UnknownApi, context.RequestAborted);
            return;
        }

        // Kestrel's path is decoded and has its dot segments removed: the client's target is read
        // as sent, after the prefix and the API id, which must appear there exactly.
        var raw = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var prefixLength = PathFormPrefix.Length + ApiId.Length;
        string? target = null;
        var at = 0;
        if (raw.Length >= prefixLength
            && raw.StartsWith(PathFormPrefix, StringComparison.OrdinalIgnoreCase)
            && raw.AsSpan(PathFormPrefix.Length, ApiId.Length).SequenceEqual(api.PublicId))
        {
            if (raw.Length == prefixLength)
            {
                target = "/";
            }
            else if (raw[prefixLength] == '?')
            {
                // The client asked for "/" with a query: kept, so that the query's checks still apply.
                target = string.Concat("/", raw.AsSpan(prefixLength));
            }
            else if (raw[prefixLength] == '/')
            {
                (target, at) = (raw, prefixLength);
            }
        }

        await DecideAsync(context, api, Doors.ExtAuthz, context.Request.Method, target, at, null, refused: target is null, start, limitsAs403: false);
    }

    private async Task DecideAsync(HttpContext context, ApiPolicy api, string door, string? method, string? target, int targetStart, string? scope, bool refused, long start, bool limitsAs403)
    {
        var request = context.Request;
        var useRules = scope is null;
        var canonicalMethod = RequestTarget.CanonicalMethod(method);
        var canonicalPath = target is null ? null : RequestTarget.CanonicalPath(target, targetStart);
        refused |= (method is not null && canonicalMethod is null) || (target is not null && canonicalPath is null);
        // Read only when rules decide, the one case where it matters (see KeyValidator.Decide): three header lookups spared per scoped check.
        var methodOverride = useRules && (HasMethodOverride(request.Headers) || (target is not null && RequestTarget.HasMethodOverrideParameter(target.AsSpan(targetStart))));

        var clientIp = addresses.Resolve(context);
        var credentials = ApiKeyCredentials.Read(request.Headers);
        // Built only for a request that carries a signature: the rest (nearly all) pay two header lookups.
        var message = SignedRequests.HasSignature(request.Headers) ? SignedRequests.Read(context, addresses.IsTrustedPeer(context), method, canonicalPath, target) : null;
        var result = credentials.Outcome == CredentialOutcome.Found
            ? await validator.ValidateAsync(
                credentials.Token,
                new RequestContext(scope, clientIp, canonicalMethod, canonicalPath, UseEndpointRules: useRules, Api: api, TargetRefused: refused, MethodOverride: methodOverride, Address: ClientAddress.Parse(clientIp), Message: message),
                context.RequestAborted)
            : await validator.ValidateAsync(null, new RequestContext(ClientIp: clientIp, Api: api, Address: ClientAddress.Parse(clientIp),
                CredentialUnreadable: credentials.Outcome != CredentialOutcome.Absent), context.RequestAborted);

        recorder.Record(result, credentials.Token, new DecisionSource(door, canonicalMethod, canonicalPath, clientIp, request.Headers.UserAgent.ToString(), start, api.OrganizationId));

        var response = context.Response;
        var headers = response.Headers;
        headers["X-Auth-Code"] = result.Code;
        if (result.IsValid)
        {
            // What the key holds at the moment of this decision, not every grant it has.
            var key = HeadersOf(result.Key!, result.Key!.Access.OpenAt(result.At));
            response.StatusCode = StatusCodes.Status200OK;
            headers["X-Auth-Key-Id"] = key.KeyId;
            headers["X-Auth-Owner-Id"] = key.OwnerId;
            headers["X-Auth-Organization-Id"] = key.OrganizationId;
            headers["X-Auth-Api-Id"] = api.PublicId;
            headers["X-Auth-Environment"] = key.Environment;
            headers["X-Auth-Scopes"] = key.Scopes;
            // Always written, empty when there are none, as X-Auth-Scopes is: a gateway that sets only
            // the headers the answer carries (Envoy, Istio) then still replaces one the client sent.
            headers[ResourceFiltersHeader.Name] = key.ResourceFilters;
            return;
        }

        // The limits' fields go with the refusals they explain: an allowed request, which a gateway
        // answers thousands of times a second, carries none (verify's body has them for every answer).
        RateLimitHeaders.Write(headers, result);
        var status = ReasonCodes.StatusOf(result.Code);
        if (SignedRequests.IsSignatureRefusal(result.Code))
        {
            SignedRequests.WriteChallenge(headers, result, request.Headers, method, target);
        }
        else if (status == StatusCodes.Status401Unauthorized)
        {
            headers[HeaderNames.WWWAuthenticate] = BearerChallenge.For(result.Code);
        }
        else if (status == StatusCodes.Status429TooManyRequests && limitsAs403)
        {
            // nginx's auth_request passes on only 401 and 403: its configuration turns this 403,
            // with X-Auth-Code and Retry-After, into the client's 429.
            status = StatusCodes.Status403Forbidden;
        }

        await WriteAsync(response, status, status switch
        {
            StatusCodes.Status401Unauthorized => Unauthorized,
            StatusCodes.Status429TooManyRequests => TooManyRequests,
            _ => Forbidden,
        }, context.RequestAborted);
    }

    /// <summary>The API id in a door URL's id segment; null when the text is none.</summary>
    public static Guid? IdOf(ReadOnlySpan<char> text) => ApiId.TryParse(text, out var id) ? id : null;

    private async ValueTask<ApiPolicy?> ApiOfAsync(Guid? apiId, CancellationToken cancellationToken)
    {
        if (apiId is not { } id)
        {
            return null;
        }

        return apis.TryGet(id, out var cached) ? cached : await apis.GetAsync(id, cancellationToken);
    }

    // One family of forwarding headers per request, each header once: nginx's X-Original-* or
    // Traefik's X-Forwarded-Method/-Uri. Anything else is a request the door cannot place.
    private static bool TryReadForwarded(IHeaderDictionary headers, ref string? method, out string? target)
    {
        var nginxMethod = headers["X-Original-Method"];
        var nginxUri = headers["X-Original-URI"];
        var traefikMethod = headers["X-Forwarded-Method"];
        var traefikUri = headers["X-Forwarded-Uri"];
        var nginx = nginxMethod.Count + nginxUri.Count > 0;
        var traefik = traefikMethod.Count + traefikUri.Count > 0;
        target = null;
        if (nginx && traefik)
        {
            return false;
        }

        var (forwardedMethod, forwardedUri) = nginx ? (nginxMethod, nginxUri) : (traefikMethod, traefikUri);
        if (forwardedMethod.Count > 1 || forwardedUri.Count > 1)
        {
            return false;
        }

        if (nginx || traefik)
        {
            // A forwarded target is decided with its forwarded method, never the check request's own.
            method = forwardedMethod.Count == 1 ? forwardedMethod[0] : null;
        }

        target = forwardedUri.Count == 1 ? forwardedUri[0] : null;
        return true;
    }

    private static bool HasMethodOverride(IHeaderDictionary headers)
    {
        foreach (var name in RequestTarget.MethodOverrideHeaders)
        {
            if (headers.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
    }

    // A gateway sends the same check URL (set per route in its configuration) and the same few
    // keys over and over: this thread's last answers are reused rather than parsing the query and
    // formatting three ids and the scope list again on every request. The query is the gateway's
    // own: other parameters are ignored, and a scope given twice, empty or malformed is refused.
    private static QueryScope ScopeOf(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return QueryScope.None;
        }

        var last = t_lastQuery;
        if (last is null || !string.Equals(last.Query, query, StringComparison.Ordinal))
        {
            var parsed = QueryHelpers.ParseQuery(query);
            var scopes = parsed.TryGetValue("scope", out var values) ? values : default;
            var scope = scopes.Count == 1 ? scopes[0] : null;
            var limits = parsed.TryGetValue(LimitsParameter, out var limitValues) ? limitValues : default;
            var valid = (scopes.Count == 0 || Scope.IsValid(scope)) && (limits.Count == 0 || (limits.Count == 1 && limits[0] == "403"));
            t_lastQuery = last = new QueryScope(query, scope, valid, limits.Count == 1);
        }

        return last;
    }

    private static KeyHeaders HeadersOf(KeySnapshot key, OpenAccess open)
    {
        // Snapshots are immutable and replaced, never edited, when a key changes, and a compiled
        // access hands out the same open set until a schedule opens or closes: the same objects
        // mean the same values.
        var last = t_lastKey;
        if (last is null || !ReferenceEquals(last.Key, key) || !ReferenceEquals(last.Open, open))
        {
            t_lastKey = last = new KeyHeaders(
                key, open, key.KeyId.ToString(), key.OwnerId.ToString(), key.OrganizationId.ToString(),
                key.Environment == KeyEnvironment.Live ? "live" : "test", string.Join(' ', open.Scopes), ResourceFiltersHeader.Format(open.Filters) ?? "");
        }

        return last;
    }

    private static async Task WriteAsync(HttpResponse response, int status, byte[] body, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        await response.Body.WriteAsync(body, cancellationToken);
    }

    private sealed record QueryScope(string Query, string? Scope, bool IsValid, bool LimitsAs403 = false)
    {
        public static QueryScope None { get; } = new("", null, true);
    }

    private sealed record KeyHeaders(KeySnapshot Key, OpenAccess Open, string KeyId, string OwnerId, string OrganizationId, string Environment, string Scopes, string ResourceFilters);

    // Bodies are static: the reason code travels in X-Auth-Code, so a denial allocates no JSON.
    private static byte[] Problem(int status, string title, string detail) =>
        Encoding.UTF8.GetBytes($$"""{"type":"{{(status == 429 ? "https://www.rfc-editor.org/rfc/rfc6585#section-4" : $"https://tools.ietf.org/html/rfc9110#section-15.5.{status switch { 401 => 2, 403 => 4, _ => 5 }}")}}","title":"{{title}}","status":{{status}},"detail":"{{detail}}"}""");
}

public static class GatewayEndpoints
{
    /// <summary>
    /// Answers the gateway door before routing, authentication and the portal's middleware: it
    /// needs none of them, and a gateway sends it every request its clients make. A failure
    /// inside it is logged and answered 500, which every gateway treats as a denial.
    /// </summary>
    public static IApplicationBuilder UseGatewayDoors(this IApplicationBuilder app)
    {
        var check = app.ApplicationServices.GetRequiredService<GatewayCheck>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayCheck));
        return app.Use(next => context => check.TryHandle(context, out var handled) ? Guarded(handled, context, logger) : next(context));
    }

    private static async Task Guarded(Task handled, HttpContext context, ILogger logger)
    {
        try
        {
            await handled;
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(e, "The gateway door failed");
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    private static Guid? IdOf(HttpContext context) => context.GetRouteValue("apiId") is string text ? GatewayCheck.IdOf(text) : null;

    public static IEndpointRouteBuilder MapGatewayEndpoints(this IEndpointRouteBuilder app)
    {
        // The door is answered by UseGatewayDoors ahead of routing; these endpoints describe it in
        // the API reference and answer for hosts that put the pipeline together otherwise.
        var check = app.ServiceProvider.GetRequiredService<GatewayCheck>();
        app.Map(GatewayCheck.HeaderFormPattern, context => check.HandleHeaderFormAsync(context, IdOf(context))).WithTags("Validation").WithName("Auth_Check")
            .WithSummary("Gateway door, header form (nginx auth_request, Traefik ForwardAuth): 200 allows, 401/403 deny; key from Authorization: Bearer or X-Api-Key.");
        app.Map(GatewayCheck.PathFormPrefix + "{apiId}", context => check.HandlePathFormAsync(context, IdOf(context))).WithTags("Validation").WithName("Auth_ExtAuthzRoot")
            .WithSummary("Gateway door, path form (Envoy/Istio ext_authz path_prefix) for the client path '/'.");
        app.Map(GatewayCheck.PathFormPrefix + "{apiId}/{**path}", context => check.HandlePathFormAsync(context, IdOf(context))).WithTags("Validation").WithName("Auth_ExtAuthz")
            .WithSummary("Gateway door, path form (Envoy/Istio ext_authz path_prefix): the client's path and query follow the API id as sent.");

        // A no-op on the same server, so load tests can compare the check against the server's own floor.
        app.MapGet("/api/v1/ping", static context => { context.Response.StatusCode = StatusCodes.Status200OK; return Task.CompletedTask; })
            .WithTags("Validation").WithName("Ping").WithSummary("Does nothing; the baseline for load tests.");
        return app;
    }
}
