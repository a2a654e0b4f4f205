using Microsoft.Net.Http.Headers;
using Portal.Core.Signatures;
using Portal.Core.Validation;

namespace Portal.Api.Gateway;

/// <summary>
/// Reads the request a gateway door decides as its RFC 9421 signature covers it, and writes the
/// challenge of a signature refusal. The derived components come from what the door decides on: the
/// original method and the canonical path of the original target (forwarded by a trusted proxy, or
/// the path form's raw target), the target's own query, and the original authority from
/// <c>X-Forwarded-Host</c> when a trusted proxy sends it (else <c>Host</c>). <c>Signature</c>,
/// <c>Signature-Input</c>, <c>Content-Digest</c> and other covered fields are the client's headers,
/// which gateways pass on to the check.
/// </summary>
public static class SignedRequests
{
    public const string SignatureHeader = "Signature";
    public const string SignatureInputHeader = "Signature-Input";
    public const string ContentDigestHeader = "Content-Digest";
    public const string AcceptSignatureHeader = "Accept-Signature";
    public const string ForwardedHostHeader = "X-Forwarded-Host";

    /// <summary>
    /// Whether the request carries an RFC 9421 signature (its <c>Signature-Input</c>), so it must be checked.
    /// A <c>Signature</c> field alone is another protocol's and is not one.
    /// </summary>
    public static bool HasSignature(IHeaderDictionary headers) => headers.ContainsKey(SignatureInputHeader);

    /// <summary>
    /// Whether the request has content, so its signature must cover <c>content-digest</c>: POST, PUT and
    /// PATCH always count as having one (gateways send the check without the body and drop its length),
    /// as does any request with a length above zero, chunked transfer or a <c>Content-Digest</c>.
    /// </summary>
    public static bool HasBody(IHeaderDictionary headers, string? method) =>
        method is "POST" or "PUT" or "PATCH"
        || headers.ContentLength > 0
        || headers.ContainsKey(HeaderNames.TransferEncoding)
        || headers.ContainsKey(ContentDigestHeader);

    /// <summary>
    /// The signed request: <paramref name="method"/> as forwarded, <paramref name="canonicalPath"/> (the
    /// check request's own path when the door decides on no forwarded target), and the query of
    /// <paramref name="target"/> as sent. <paramref name="trustedPeer"/>: the peer is a trusted proxy, whose
    /// <c>X-Forwarded-Host</c> and <c>X-Forwarded-Proto</c> are believed (one value each).
    /// </summary>
    public static SignedMessage Read(HttpContext context, bool trustedPeer, string? method, string? canonicalPath, string? target)
    {
        var request = context.Request;
        var headers = request.Headers;
        var scheme = request.Scheme;
        var authority = request.Host.Value;
        if (trustedPeer)
        {
            var forwardedProto = headers["X-Forwarded-Proto"];
            if (forwardedProto.Count == 1 && forwardedProto[0] is "http" or "https")
            {
                scheme = forwardedProto[0]!;
            }

            var forwardedHost = headers[ForwardedHostHeader];
            if (forwardedHost.Count > 0)
            {
                // Two authorities cannot both be the original: none is taken, and no signature verifies.
                authority = forwardedHost.Count == 1 ? forwardedHost[0] : null;
            }
        }

        var question = target?.IndexOf('?') ?? -1;
        var upperMethod = method?.ToUpperInvariant() ?? request.Method;
        return new SignedMessage
        {
            Method = upperMethod,
            Authority = SignedMessage.NormalizeAuthority(authority, scheme) ?? "",
            Path = canonicalPath ?? request.Path.Value ?? "/",
            Query = question >= 0 ? target![(question + 1)..] : null,
            Headers = headers,
            SignatureInput = SignedMessage.JoinFieldValues(headers[SignatureInputHeader]),
            Signature = SignedMessage.JoinFieldValues(headers[SignatureHeader]),
            HasBody = HasBody(headers, upperMethod),
            Scheme = scheme,
        };
    }

    /// <summary>
    /// For a signature refusal: <c>Accept-Signature</c> (RFC 9421 section 5.1) naming what to cover for
    /// this request, and the reason in <c>WWW-Authenticate</c>'s <c>error_description</c> (RFC 6750).
    /// </summary>
    public static void WriteChallenge(IHeaderDictionary responseHeaders, in ValidationResult result, IHeaderDictionary requestHeaders, string? method, string? target)
    {
        var hasQuery = target?.Contains('?') == true;
        responseHeaders[AcceptSignatureHeader] = MessageSignatures.AcceptSignature(hasQuery, HasBody(requestHeaders, method?.ToUpperInvariant()));
        var description = ReferenceEquals(result.Code, ReasonCodes.SignatureRequired) ? "a request signature is required" : "signature: " + result.Detail;
        responseHeaders[HeaderNames.WWWAuthenticate] = $"Bearer error=\"invalid_token\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\"";
    }

    /// <summary>Whether the code is a signature refusal, which carries the challenge.</summary>
    public static bool IsSignatureRefusal(string code) =>
        ReferenceEquals(code, ReasonCodes.SignatureRequired) || ReferenceEquals(code, ReasonCodes.SignatureInvalid);
}
