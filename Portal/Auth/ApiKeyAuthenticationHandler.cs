using System.Diagnostics;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Portal.Core.Audit;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Validation;

namespace Portal.Auth;

/// <summary>
/// Authenticates a request by the API key in <c>Authorization: Bearer</c> or <c>X-Api-Key</c>,
/// through the same <see cref="KeyValidator"/> as every other door, and answers with the status
/// <see cref="ReasonCodes.StatusOf"/> gives: 401 (challenge) only when the key is missing
/// (<see cref="ReasonCodes.Missing"/>, with a bare <c>Bearer</c> challenge) or unusable, 403 (forbid) when a known key may not make the request, decided by its scope
/// requirements (<see cref="ScopeRequirement"/>). Failure messages carry the reason code only,
/// never key material.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KeyValidator validator,
    DecisionRecorder recorder,
    ClientAddressResolver addresses)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly AuthenticateResult TwoKeys = AuthenticateResult.Fail("More than one API key was sent.");
    private static readonly AuthenticateResult WrongScheme = AuthenticateResult.Fail("The Authorization header must use the Bearer scheme.");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var read = ApiKeyCredentials.Read(Request.Headers);
        if (read.Outcome == CredentialOutcome.Absent)
        {
            return AuthenticateResult.NoResult();
        }

        var start = Stopwatch.GetTimestamp();
        var clientIp = addresses.Resolve(Context);
        if (read.Outcome is CredentialOutcome.Ambiguous or CredentialOutcome.WrongScheme)
        {
            // The same decision the gateway check makes for these headers: MALFORMED.
            recorder.Record(ValidationResult.Malformed, null, new DecisionSource(Doors.Api, Request.Method, Request.Path.Value, clientIp, Request.Headers.UserAgent.ToString(), start));
            var refused = read.Outcome == CredentialOutcome.Ambiguous ? TwoKeys : WrongScheme;
            Context.Items[typeof(ValidationResult)] = ReasonCodes.Malformed;
            Context.Items[typeof(AuthenticateResult)] = refused;
            return refused;
        }

        var result = await validator.ValidateAsync(read.Token, new RequestContext(ClientIp: clientIp, Address: ClientAddress.Parse(clientIp)), Context.RequestAborted);
        var source = new DecisionSource(Doors.Api, Request.Method, Request.Path.Value, clientIp, Request.Headers.UserAgent.ToString(), start);
        // "Who are you" (401) and the request protections (address, country, block, suspension: 403;
        // limits: 429) end here. A known key that may not act now (its own schedule is closed) is
        // authenticated, and its scope requirements refuse it (403), as every door would.
        if (!result.IsValid && !ReferenceEquals(result.Code, ReasonCodes.OutsideTimeWindow))
        {
            recorder.Record(result, read.Token, source);
            Context.Items[typeof(ValidationResult)] = result.Code;
            Context.Items[typeof(LimitOutcome)] = result.Limits;
            LogRejected(Logger, result.Code, result.Key?.KeyId);
            return AuthenticateResult.Fail(result.Code);
        }

        var key = result.Key!;
        // Recorded once the scope requirements have decided (ScopeRequirementHandler), with the code
        // that ends the request; the backstop records this decision for an endpoint that asks none.
        var decision = new ApiKeyDecision(key, read.Token!, source);
        Context.Items[typeof(ApiKeyDecision)] = decision;
        if (!Response.HasStarted)
        {
            Response.OnStarting(static state =>
            {
                var (decision, recorder, result) = ((ApiKeyDecision, DecisionRecorder, ValidationResult))state;
                decision.Record(recorder, result.Code, result.At);
                return Task.CompletedTask;
            }, (decision, recorder, result));
        }
        // The snapshot the decision used: scope requirements and the "who may" room evaluate it with the request's time.
        Context.Items[typeof(KeySnapshot)] = key;
        Claim[] claims =
        [
            new(ApiKeyClaims.UserId, key.OwnerId.ToString()),
            new(ApiKeyClaims.KeyId, key.KeyId.ToString()),
            new(ApiKeyClaims.KeyHint, ApiKeyToken.Hint(read.Token!)),
            new(ApiKeyClaims.OrganizationId, key.OrganizationId.ToString()),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ApiKeyClaims.KeyHint, null));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // No key at all is answered with the code the gateway check gives it, so every door agrees.
        var code = Context.Items[typeof(ValidationResult)] as string;
        if (code is not null && ReasonCodes.StatusOf(code) is var status and not StatusCodes.Status401Unauthorized)
        {
            // A request protection refused a known key: 403, or 429 for its limits, as at every door.
            Response.StatusCode = status;
            if (Context.Items[typeof(LimitOutcome)] is LimitOutcome { RetryAfterSeconds: > 0 } limits)
            {
                Response.Headers[HeaderNames.RetryAfter] = limits.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await Results.Problem(
                    statusCode: status,
                    title: status == StatusCodes.Status429TooManyRequests ? "Too Many Requests" : "Forbidden",
                    detail: Refusal(code, "this endpoint's scope"),
                    extensions: new Dictionary<string, object?> { ["code"] = code })
                .ExecuteAsync(Context);
            return;
        }

        if (code is null)
        {
            // No credential at all, at an endpoint that needs one: MISSING, logged as the other doors
            // log it (folded per address and minute, like MALFORMED). A request to an endpoint that
            // needs no key never comes here, so anonymous pages and health checks are not logged.
            code = ReasonCodes.Missing;
            recorder.Record(ValidationResult.Missing, null, new DecisionSource(
                Doors.Api, Request.Method, Request.Path.Value, addresses.Resolve(Context), Request.Headers.UserAgent.ToString(), Stopwatch.GetTimestamp()));
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = BearerChallenge.For(code);
        var detail = (Context.Items[typeof(AuthenticateResult)] as AuthenticateResult)?.Failure?.Message
            ?? (code == ReasonCodes.Missing ? "No API key was sent: send one, in 'Authorization: Bearer <key>' or 'X-Api-Key'."
                : code == ReasonCodes.SignatureRequired ? Refusal(code, "")
                : $"The API key was refused: {code}.");
        await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: detail,
                extensions: new Dictionary<string, object?> { ["code"] = code })
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var decision = Context.Items[typeof(ApiKeyDecision)] as ApiKeyDecision;
        var code = decision?.RefusalCode ?? ReasonCodes.InsufficientScope;
        await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: Refusal(code, decision?.RefusedScope ?? "the scope this endpoint requires"),
                extensions: new Dictionary<string, object?> { ["code"] = code })
            .ExecuteAsync(Context);
    }

    // A refusal in plain words; the code beside it is the stable part.
    private static string Refusal(string code, string scope) => code switch
    {
        ReasonCodes.InsufficientScope => $"The API key does not hold {scope}, which this endpoint requires.",
        ReasonCodes.ResourceNotAllowed => $"The API key holds {scope} only for some resources, and this endpoint's are not among them.",
        ReasonCodes.OutsideTimeWindow => $"The API key holds {scope}, but not at this time: the grant's schedule or the key's own is closed now.",
        ReasonCodes.IpNotAllowed => "The client's address is not in the API key's allowlist, or the organization denies it.",
        ReasonCodes.GeoBlocked => "The API key may not be used from the client's country.",
        ReasonCodes.GeoUnavailable => "The API key has country rules, and no country database is loaded to check them.",
        ReasonCodes.Blocked => "The client's address is blocked for this organization after repeated failures.",
        ReasonCodes.Suspended => "The API key is suspended after a leaked-key signal until an admin lifts it.",
        ReasonCodes.RateLimited => "The API key's rate limit is reached: retry after the time in Retry-After.",
        ReasonCodes.QuotaExceeded => "The API key's quota is used up until its next refill.",
        ReasonCodes.SignatureRequired => "Every request with this API key must be signed (RFC 9421), and the management API takes no signed requests: use another key here.",
        _ => $"The API key may not make this request ({code}).",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "API key refused: {Code} (key id {KeyId})")]
    private static partial void LogRejected(ILogger logger, string code, Guid? keyId);
}
