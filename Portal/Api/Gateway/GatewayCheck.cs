using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Portal.Auth;
using Portal.Core.Access;
using Portal.Core.Audit;
using Portal.Core.Validation;

namespace Portal.Api.Gateway;

/// <summary>
/// <c>/api/v1/auth/check[/{**path}]</c>, any method: the forward-auth door for nginx
/// <c>auth_request</c>, Envoy/Istio <c>ext_authz</c> (HTTP) and Traefik ForwardAuth. 200 allows and
/// names the key in <c>X-Auth-*</c> headers; 401 for a missing or bad key; 403 when the key lacks
/// what the route needs: the scope named in the check URL, else the one the organization's endpoint
/// rules give for the original method and path. Written as a raw request delegate: it is the hottest path of the product.
/// </summary>
public sealed class GatewayCheck(KeyValidator validator, DecisionRecorder recorder, ClientAddressResolver addresses)
{
    public const string Pattern = "/api/v1/auth/check";

    private static readonly byte[] Unauthorized = Problem(401, "Unauthorized");
    private static readonly byte[] Forbidden = Problem(403, "Forbidden");

    [ThreadStatic]
    private static QueryScope? t_lastQuery;

    [ThreadStatic]
    private static KeyHeaders? t_lastKey;

    public async Task HandleAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var request = context.Request;
        var suffix = context.GetRouteValue("path") as string;
        var method = FirstOf(request.Headers, "X-Original-Method", "X-Forwarded-Method") ?? request.Method;
        var path = FirstOf(request.Headers, "X-Original-URI", "X-Forwarded-Uri")
            ?? (suffix is null ? null : "/" + suffix + request.QueryString.Value);

        // The scope is taken from the check URL only in its bare form, which the gateway's
        // configuration fixes. With a path suffix (Envoy), the query string is the client's own.
        var scope = suffix is null ? ScopeOf(request.QueryString.Value) : "";
        if (scope.Length > 0 && !Scope.IsValid(scope))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("The check URL's scope is not resource:action.");
            return;
        }

        // Without a scope in the check URL, the organization's endpoint rules name it.
        var clientIp = addresses.Resolve(context);
        var credentials = ApiKeyCredentials.Read(request.Headers);
        var result = credentials.Outcome == CredentialOutcome.Found
            ? await validator.ValidateAsync(
                credentials.Token,
                new RequestContext(scope.Length > 0 ? scope : null, clientIp, method, path, UseEndpointRules: scope.Length == 0),
                context.RequestAborted)
            : ValidationResult.Malformed;

        recorder.Record(result, credentials.Token, new DecisionSource(Doors.Check, method, path, clientIp, request.Headers.UserAgent.ToString(), start));

        var response = context.Response;
        var headers = response.Headers;
        headers["X-Auth-Code"] = result.Code;
        if (result.IsValid)
        {
            var key = HeadersOf(result.Key!);
            response.StatusCode = StatusCodes.Status200OK;
            headers["X-Auth-Key-Id"] = key.KeyId;
            headers["X-Auth-Owner-Id"] = key.OwnerId;
            headers["X-Auth-Organization-Id"] = key.OrganizationId;
            headers["X-Auth-Scopes"] = key.Scopes;
            return;
        }

        var denied = ReasonCodes.IsAuthorizationFailure(result.Code);
        response.StatusCode = denied ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        if (!denied)
        {
            headers[HeaderNames.WWWAuthenticate] = "Bearer error=\"invalid_token\"";
        }

        response.ContentType = "application/problem+json";
        await response.Body.WriteAsync(denied ? Forbidden : Unauthorized, context.RequestAborted);
    }

    // A gateway sends the same check URL (set per route in its configuration) and the same few
    // keys over and over: this thread's last answers are reused rather than parsing the query and
    // formatting three ids and the scope list again on every request.
    private static string ScopeOf(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }

        var last = t_lastQuery;
        if (last is null || !string.Equals(last.Query, query, StringComparison.Ordinal))
        {
            t_lastQuery = last = new QueryScope(query, QueryHelpers.ParseQuery(query)["scope"].ToString());
        }

        return last.Scope;
    }

    private static KeyHeaders HeadersOf(KeySnapshot key)
    {
        // Snapshots are immutable and replaced, never edited, when a key changes: the same object means the same values.
        var last = t_lastKey;
        if (last is null || !ReferenceEquals(last.Key, key))
        {
            t_lastKey = last = new KeyHeaders(key, key.KeyId.ToString(), key.OwnerId.ToString(), key.OrganizationId.ToString(), string.Join(' ', key.Scopes));
        }

        return last;
    }

    private static string? FirstOf(IHeaderDictionary headers, string first, string second)
    {
        var value = headers[first];
        if (value.Count == 0)
        {
            value = headers[second];
        }

        return value.Count == 0 ? null : value.ToString();
    }

    private sealed record QueryScope(string Query, string Scope);

    private sealed record KeyHeaders(KeySnapshot Key, string KeyId, string OwnerId, string OrganizationId, string Scopes);

    // Bodies are static: the reason code travels in X-Auth-Code, so a denial allocates no JSON.
    private static byte[] Problem(int status, string title) =>
        Encoding.UTF8.GetBytes($$"""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.{{(status == 401 ? 2 : 4)}}","title":"{{title}}","status":{{status}},"detail":"See the X-Auth-Code header for the reason."}""");
}

public static class GatewayEndpoints
{
    public static IEndpointRouteBuilder MapGatewayEndpoints(this IEndpointRouteBuilder app)
    {
        var check = app.ServiceProvider.GetRequiredService<GatewayCheck>();
        app.Map(GatewayCheck.Pattern, check.HandleAsync).WithTags("Validation").WithName("Auth_Check")
            .WithSummary("Forward-auth check for gateways: 200 allows, 401/403 deny; key from Authorization: Bearer or X-Api-Key.");
        app.Map(GatewayCheck.Pattern + "/{**path}", check.HandleAsync).WithTags("Validation").WithName("Auth_CheckPath")
            .WithSummary("Forward-auth check with the original path appended (Envoy ext_authz path_prefix).");

        // A no-op on the same server, so load tests can compare the check against the server's own floor.
        app.MapGet("/api/v1/ping", static context => { context.Response.StatusCode = StatusCodes.Status200OK; return Task.CompletedTask; })
            .WithTags("Validation").WithName("Ping").WithSummary("Does nothing; the baseline for load tests.");
        return app;
    }
}
