using Portal.Core.Access;
using Portal.Core.Protections;
using System.Text.Json.Serialization;

namespace Portal.Api.Verify;

/// <summary>Body of <c>POST /api/v1/keys/verify</c>.</summary>
/// <param name="Key">The token to decide about, as the app's client sent it; absent or empty (the client sent none) answers <c>MISSING</c>.</param>
/// <param name="Scope">A scope the request needs, e.g. <c>orders:read</c>; absent: authenticate only.</param>
/// <param name="Resource">An asset the request touches (checked once asset-level grants exist).</param>
/// <param name="Method">The HTTP method of the app's request: with <paramref name="ApiId"/> and no scope, the endpoint rules match it.</param>
/// <param name="Path">The path of the app's request (a query is dropped); refused as <c>PATH_NOT_CANONICAL</c> when not in its one canonical form.</param>
/// <param name="ClientIp">The address of the app's client (IPv4 or IPv6): checked against IP allowlists, deny lists and country rules, watched for attacks, and logged. Without it, an allowlist or a country allow list refuses.</param>
/// <param name="ApiId">The API (<c>api_…</c>) the request is for: its endpoint rules and environments then apply.</param>
/// <param name="Signature">The app's request's RFC 9421 signature, when it has one: checked whenever given, and required where the key, the API or the rule asks for one.</param>
public sealed record VerifyRequest(string? Key, string? Scope = null, string? Resource = null, string? Method = null, string? Path = null, string? ClientIp = null, string? ApiId = null, VerifySignature? Signature = null);

/// <summary>
/// What verify needs to check the signature of the app's request (RFC 9421). The method and path
/// are verify's <c>method</c> and <c>path</c> (with its query, for <c>@query</c>).
/// </summary>
/// <param name="SignatureInput">The request's <c>Signature-Input</c> header, as received.</param>
/// <param name="Value">The request's <c>Signature</c> header, as received.</param>
/// <param name="Authority">The request's authority (<c>Host</c>), for <c>@authority</c>.</param>
/// <param name="Headers">
/// The request's header fields the signature covers, by lower-case name (e.g. <c>content-digest</c>,
/// <c>content-type</c>); at most <see cref="MaxHeaders"/>. A field sent more than once is given joined with ", ".
/// </param>
/// <param name="BodyDigest">
/// When the request has a body: its digest as the app computed it over the bytes it received, as a
/// <c>Content-Digest</c> member (<c>sha-256=:…:</c> or <c>sha-512=:…:</c>, RFC 9530). The signature must then
/// cover <c>content-digest</c>, and the request's <c>Content-Digest</c> must hold this digest.
/// </param>
public sealed record VerifySignature(string? SignatureInput, string? Value, string? Authority, Dictionary<string, string>? Headers = null, string? BodyDigest = null)
{
    /// <summary>The most header fields one signature check is given.</summary>
    public const int MaxHeaders = 20;
}

/// <summary>
/// The decision. Identity fields are present only when <c>valid</c> is true; a key of another
/// organization answers exactly like a key that does not exist.
/// </summary>
/// <remarks>
/// Absent fields are left out of the JSON; a valid key without <c>expiresAt</c> never expires.
/// <c>scopes</c> lists what the key holds at the moment of the decision without conditions (grants
/// whose schedule, and the key's, is open then and that are limited to no resource), as the gateway
/// door's <c>X-Auth-Scopes</c>; <c>filters</c> describes the scopes it then holds for some resources
/// only: for the scope asked, or, without one, every such scope (the gateway door's <c>X-Auth-Resource-Filters</c>).
/// <c>limits</c> (keys with rate limits or a quota) gives each limit's remaining requests and reset
/// time after this decision, and the quota's credits left; <c>retryAfterSeconds</c> accompanies
/// <c>RATE_LIMITED</c> and <c>QUOTA_EXCEEDED</c>, as the <c>Retry-After</c> header does. The answer is
/// 200 whatever the code: a 429 here would say the calling app itself was limited. With
/// <c>SIGNATURE_REQUIRED</c> or <c>SIGNATURE_INVALID</c>, <c>detail</c> says what is wrong with the signature and
/// <c>acceptSignature</c> is the <c>Accept-Signature</c> value (RFC 9421 section 5.1) the app may pass on to its client.
/// </remarks>
public sealed record VerifyResponse(
    bool Valid,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? KeyId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? OwnerId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? OrganizationId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Environment = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Scopes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ResourceFilter>? Filters = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<LimitState>? Limits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RetryAfterSeconds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AcceptSignature = null);
