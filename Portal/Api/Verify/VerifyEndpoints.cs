using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Portal.Auth;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Core.Audit;
using Portal.Core.Protections;
using Portal.Core.Signatures;
using Portal.Core.Validation;
using Portal.Api.Gateway;

namespace Portal.Api.Verify;

/// <summary>
/// <c>POST /api/v1/keys/verify</c>: for apps. The caller proves itself with its own key holding
/// <c>keys:verify</c>, so the endpoint is no open oracle, and learns about keys of its own organization only.
/// </summary>
public static class VerifyEndpoints
{
    /// <summary>A verify body is a token and a few short strings; anything larger is refused unread.</summary>
    public const long MaxBodyBytes = 8 * 1024;

    public static IEndpointRouteBuilder MapVerifyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/keys/verify", Verify)
            .WithTags("Validation")
            .WithName("Keys_Verify")
            .WithSummary("Decide whether a key is valid (and holds a scope) for a request.")
            .RequireAuthorization(Scope.KeysVerify)
            .Accepts<VerifyRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<Ok<VerifyResponse>> Verify(
        HttpContext context,
        KeyValidator validator,
        DecisionRecorder recorder,
        ClientAddressResolver addresses,
        ApiPolicyCache apis,
        IRateLimitStore limiter,
        IOptions<JsonOptions> json)
    {
        var start = Stopwatch.GetTimestamp();
        var request = await ReadAsync(context, json.Value.SerializerOptions);
        if (request.Scope is not null && !Scope.IsValid(request.Scope))
        {
            throw new InvalidRequestException("scope", $"'{request.Scope}' is not a scope (resource:action).");
        }

        if (request.Resource is not null && !ResourcePattern.IsValidResource(request.Resource))
        {
            throw new InvalidRequestException("resource", "The resource must be type/id (e.g. asset/eu-17), without wildcards, empty or dot segments.");
        }

        if (request.Path is { } path && (path.Length is 0 or > RequestTarget.MaxPathLength || path[0] != '/'))
        {
            throw new InvalidRequestException("path", $"The path must start with '/' and be at most {RequestTarget.MaxPathLength} characters.");
        }

        if (request.Method is { } method && RequestTarget.CanonicalMethod(method) is null)
        {
            throw new InvalidRequestException("method", "The method must be an HTTP method token, e.g. GET.");
        }

        var clientIp = request.ClientIp is null ? null : ClientAddressText.Normalize(request.ClientIp)
            ?? throw new InvalidRequestException("clientIp", "The client address must be an IPv4 address in dotted-decimal form or an IPv6 address without a zone.");

        var callerOrganization = Guid.Parse(context.User.FindFirstValue(ApiKeyClaims.OrganizationId)!);
        ApiPolicy? api = null;
        if (request.ApiId is not null)
        {
            api = ApiId.TryParse(request.ApiId, out var apiId) ? await apis.GetAsync(apiId, context.RequestAborted) : null;
            if (api is null || api.OrganizationId != callerOrganization)
            {
                throw new InvalidRequestException("apiId", "No API of your organization has this id.");
            }
        }

        if (request.Scope is null && request.Path is not null && api is null)
        {
            throw new InvalidRequestException("apiId", "Name the API whose endpoint rules decide this path, or name a scope.");
        }

        var message = request.Signature is { } signature ? SignedMessageOf(signature, request) : null;

        // Without a scope, the method and path are matched against the API's endpoint rules; with
        // neither, the key is only authenticated (and checked against the API, when one is named).
        var useRules = request.Scope is null && request.Path is not null;
        var canonicalPath = RequestTarget.CanonicalPath(request.Path);
        var canonicalMethod = RequestTarget.CanonicalMethod(request.Method ?? "GET");
        var result = await validator.ValidateAsync(
            request.Key,
            new RequestContext(request.Scope, clientIp, canonicalMethod, canonicalPath, request.Resource, useRules, api,
                TargetRefused: request.Path is not null && canonicalPath is null,
                MethodOverride: request.Path is not null && RequestTarget.HasMethodOverrideParameter(request.Path),
                // The app's client, when the app names it: never the app's own address, which calls from its server.
                Address: ClientAddress.Parse(clientIp),
                OrganizationId: callerOrganization,
                Message: message),
            context.RequestAborted);
        if (result.Key is { } key && key.OrganizationId != callerOrganization)
        {
            // Another tenant's key: indistinguishable from an unknown one.
            result = ValidationResult.NotFound;
        }

        recorder.Record(result, request.Key, new DecisionSource(
            Doors.Verify, request.Method is null ? null : canonicalMethod, canonicalPath, clientIp ?? addresses.Resolve(context), context.Request.Headers.UserAgent.ToString(), start, callerOrganization));

        RateLimitHeaders.Write(context.Response.Headers, result);
        var limits = result.Plan is { } plan && result.Key is { } limited ? LimitsOf(limiter.Peek(StateIdOf(limited, api, plan), plan, result.At), result) : null;
        if (!result.IsValid)
        {
            var signatureRefused = SignedRequests.IsSignatureRefusal(result.Code);
            return TypedResults.Ok(new VerifyResponse(false, result.Code, Limits: limits, RetryAfterSeconds: result.Limits.RetryAfterSeconds > 0 ? result.Limits.RetryAfterSeconds : null,
                Detail: signatureRefused ? result.Detail : null,
                AcceptSignature: signatureRefused ? MessageSignatures.AcceptSignature(request.Path?.Contains('?') == true, message?.HasBody ?? SignedRequests.HasBody(EmptyHeaders, canonicalMethod)) : null));
        }

        // Read at the moment of the decision, as the gateway door's X-Auth-Scopes and
        // X-Auth-Resource-Filters are: scopes held whole now, and filters for those held in part.
        var valid = result.Key!;
        return TypedResults.Ok(new VerifyResponse(true, result.Code, valid.KeyId, valid.Name, valid.OwnerId, valid.OrganizationId,
            valid.Environment == KeyEnvironment.Live ? "live" : "test", valid.Access.OpenAt(result.At).Scopes, valid.ExpiresAt,
            valid.Access.FiltersFor(request.Scope, result.At), limits));
    }

    private static readonly HeaderDictionary EmptyHeaders = new();

    /// <summary>
    /// The app's request as its signature covers it: verify's method and path (its canonical form, and
    /// the query as given), the authority, the covered header fields and the app's digest of the body.
    /// Each bad field is refused by name.
    /// </summary>
    private static SignedMessage SignedMessageOf(VerifySignature signature, VerifyRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Path is null)
        {
            errors["path"] = ["A signed request needs its path (with its query, as the client sent it) for @path and @query."];
        }

        var authority = SignedMessage.NormalizeAuthority(signature.Authority);
        if (authority is null)
        {
            errors["signature.authority"] = ["Give the request's authority (its Host: a host name or address, and a port when not 443)."];
        }

        if (string.IsNullOrEmpty(signature.SignatureInput) || string.IsNullOrEmpty(signature.Value))
        {
            errors["signature"] = ["Give both the Signature-Input (signatureInput) and the Signature (value) header of the request."];
        }

        var headers = new HeaderDictionary();
        if (signature.Headers is { } fields)
        {
            if (fields.Count > VerifySignature.MaxHeaders)
            {
                errors["signature.headers"] = [$"Give at most {VerifySignature.MaxHeaders} header fields."];
            }
            else
            {
                foreach (var (name, value) in fields)
                {
                    if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.')
                        || value is null || value.Any(c => c < ' ' && c != '\t' || c == '\x7f'))
                    {
                        errors["signature.headers"] = ["Name each header field in lower case (letters, digits, '-'), with a value without control characters."];
                        break;
                    }

                    headers[name] = value;
                }
            }
        }

        if (signature.BodyDigest is { } digest && !ContentDigest.TryParse(digest, out _, out _))
        {
            errors["signature.bodyDigest"] = ["Give the body's digest as a Content-Digest member: sha-256=:<base64>: or sha-512=:<base64>: (RFC 9530)."];
        }

        InvalidRequestException.ThrowIfAny(errors);
        var method = (request.Method ?? "GET").ToUpperInvariant();
        var question = request.Path!.IndexOf('?');
        return new SignedMessage
        {
            Method = method,
            Authority = authority!,
            // A path that is not canonical is refused (PATH_NOT_CANONICAL) before any signature is read.
            Path = RequestTarget.CanonicalPath(request.Path) ?? request.Path,
            Query = question >= 0 ? request.Path[(question + 1)..] : null,
            Headers = headers,
            SignatureInput = signature.SignatureInput,
            Signature = signature.Value,
            HasBody = signature.BodyDigest is not null || SignedRequests.HasBody(headers, method),
            BodyDigest = signature.BodyDigest,
        };
    }

    // The counters the decision was taken against: the key's own, or the API's defaults for this key.
    private static Guid StateIdOf(KeySnapshot key, ApiPolicy? api, RateLimitPlan plan) =>
        api is not null && ReferenceEquals(plan, api.Protections.Limits) ? RequestShield.StateIdOf(key.KeyId, api.Id) : key.KeyId;

    // The limits after the decision, with the key's quota when the API's defaults counted the limits.
    private static IReadOnlyList<LimitState> LimitsOf(IReadOnlyList<LimitState> states, in ValidationResult result)
    {
        if (result.Key!.Protections.Limits is { Quota: not null } own && !ReferenceEquals(own, result.Plan) && result.Limits.QuotaRemaining >= 0)
        {
            return [.. states, new LimitState("quota", own.Quota.Refill?.Amount ?? own.Quota.Remaining, 0, result.Limits.QuotaRemaining, null, IsQuota: true)];
        }

        return states;
    }

    private static async Task<VerifyRequest> ReadAsync(HttpContext context, JsonSerializerOptions options)
    {
        if (!context.Request.HasJsonContentType())
        {
            throw new BadHttpRequestException("Send the body as application/json.", StatusCodes.Status415UnsupportedMediaType);
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw new BadHttpRequestException($"The body must be at most {MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            return await context.Request.ReadFromJsonAsync<VerifyRequest>(options, context.RequestAborted)
                ?? throw new InvalidRequestException("body", "The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The body is not valid JSON for this endpoint.", StatusCodes.Status400BadRequest, e);
        }
    }
}
