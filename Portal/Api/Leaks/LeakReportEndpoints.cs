using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core;
using Portal.Core.Leaks;

namespace Portal.Api.Leaks;

/// <summary>
/// <c>POST /api/v1/keys/leaks</c>: secret scanners report tokens they found in public, following
/// GitHub's secret scanning partner program. The caller has no key: it proves itself by signing the
/// raw body (ECDSA P-256, SHA-256, <c>Github-Public-Key-Identifier</c> and
/// <c>Github-Public-Key-Signature</c>) with a key configured under <c>LeakReports:PublicKeys</c>.
/// Order: not configured (404) → headers (401) → body size (413) → signature (401) → JSON and bounds
/// (400) → the report (<see cref="LeakReports"/>, one transaction) → 200 with a label per token.
/// Every refusal is a ProblemDetails and changes nothing.
/// </summary>
public static class LeakReportEndpoints
{
    /// <summary>The largest report read: 1 MiB, room for <see cref="LeakReports.MaxTokens"/> matches with long URLs.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public const string KeyIdentifierHeader = "Github-Public-Key-Identifier";
    public const string SignatureHeader = "Github-Public-Key-Signature";

    // The contract's shape, read tolerantly (fields GitHub may add are skipped) but with one value per field.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        AllowDuplicateProperties = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        MaxDepth = 8,
    };

    public static IEndpointRouteBuilder MapLeakReportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/keys/leaks", Report)
            .WithTags("Leaks")
            .WithName("Keys_ReportLeaks")
            .WithSummary("Report tokens found in public (GitHub secret scanning partner contract); each matching key is stopped under its organization's leak policy.")
            .AllowAnonymous()
            .WithRequestLimits(MaxBodyBytes)
            .Accepts<List<LeakMatchRequest>>("application/json")
            .Produces<List<LeakLabelResponse>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<Results<Ok<List<LeakLabelResponse>>, ProblemHttpResult>> Report(
        HttpContext context, LeakReportSignatures signatures, LeakReports reports, CancellationToken cancellationToken)
    {
        if (!signatures.IsConfigured)
        {
            return Problem(StatusCodes.Status404NotFound, "Leak reports are not configured on this installation.",
                "leakReports", "No verifying key is set (LeakReports:PublicKeys), so no report can be accepted.");
        }

        if (SingleHeader(context.Request, KeyIdentifierHeader) is not { } identifier)
        {
            return Unauthorized(KeyIdentifierHeader, "Name the key that signed the body, once.");
        }

        if (SingleHeader(context.Request, SignatureHeader) is not { } signature)
        {
            return Unauthorized(SignatureHeader, "Send the base64 ECDSA signature of the body, once.");
        }

        var body = await ReadBodyAsync(context.Request, cancellationToken);
        switch (signatures.Verify(identifier, signature, body))
        {
            case LeakSignatureCheck.UnknownKey:
                return Unauthorized(KeyIdentifierHeader, "No verifying key has this identifier.");
            case LeakSignatureCheck.Malformed:
                return Unauthorized(SignatureHeader, "The signature is not base64.");
            case LeakSignatureCheck.Invalid:
                return Unauthorized(SignatureHeader, "The signature does not verify over the body with the named key.");
        }

        var matches = Parse(body);
        var found = matches.Select(m => new FoundToken(m.Token ?? "", m.Url, m.Source)).ToList();
        var truePositive = await reports.ReportAsync(new LeakReporter.Scanner(identifier), found, cancellationToken);
        return TypedResults.Ok(matches.Select((m, i) => new LeakLabelResponse(
            TokenHash(m.Token!), m.Type ?? "", truePositive[i] ? LeakLabelResponse.TruePositive : LeakLabelResponse.FalsePositive)).ToList());
    }

    /// <summary>The report's matches, or a 400 naming the field: the body must be a JSON array of objects.</summary>
    private static List<LeakMatchRequest> Parse(byte[] body)
    {
        List<LeakMatchRequest?>? matches;
        try
        {
            matches = JsonSerializer.Deserialize<List<LeakMatchRequest?>>(body, Json);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            throw new InvalidRequestException(field, "The body must be a JSON array of matches { token, type, url, source } with string values.");
        }

        if (matches is null)
        {
            throw new InvalidRequestException("body", "The body must be a JSON array of matches { token, type, url, source }.");
        }

        // The bounds first, so a report of a million nulls is refused as too long, not item by item.
        LeakReports.Check([.. matches.Select(m => new FoundToken(m?.Token ?? "x", m?.Url, m?.Source))]);
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < matches.Count && errors.Count < 20; i++)
        {
            if (matches[i] is null)
            {
                errors[$"[{i}]"] = ["Each match must be an object { token, type, url, source }."];
            }
            else if (matches[i]!.Type?.Length > 100)
            {
                errors[$"[{i}].type"] = ["The type must be at most 100 characters."];
            }
        }

        InvalidRequestException.ThrowIfAny(errors);
        return matches!;
    }

    /// <summary>The hex SHA-256 of the token's UTF-8 bytes, as GitHub's feedback format names a token without repeating it.</summary>
    public static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string? SingleHeader(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        return values.Count == 1 && !string.IsNullOrWhiteSpace(values[0]) && values[0]!.Length <= LeakReportOptions.MaxKeyIdentifierLength ? values[0]!.Trim() : null;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // WithRequestLimits has read the body (at most MaxBodyBytes) into memory already.
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    private static ProblemHttpResult Unauthorized(string header, string message) =>
        Problem(StatusCodes.Status401Unauthorized, "The report's signature could not be verified; nothing was read.", header, message);

    private static ProblemHttpResult Problem(int status, string title, string field, string message) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = $"{field}: {message}",
            Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } },
        });
}
