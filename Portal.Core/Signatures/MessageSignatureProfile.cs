namespace Portal.Core.Signatures;

/// <summary>
/// The product's RFC 9421 profile, in one place: the windows, the limits and the texts of
/// <see cref="SignatureOutcome.Detail"/>. <see cref="MessageSignatures.Verify"/> enforces it.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>rule</term><description>refused with (Invalid)</description></listheader>
/// <item><term>Neither <c>Signature-Input</c> nor <c>Signature</c></term><description>Missing (not Invalid): the door decides whether a signature was required.</description></item>
/// <item><term>Both fields, or neither</term><description>"Signature-Input and Signature must both be present"</description></item>
/// <item><term>Both parse as RFC 8941 dictionaries; a label twice is refused</term><description>"Signature-Input is malformed: …", "Signature is malformed: …"</description></item>
/// <item><term>At most <see cref="MaxLabels"/> labels in each</term><description>"more than 4 signatures"</description></item>
/// <item><term>Labels whose <c>tag</c> is present and not <see cref="ApplicationTag"/> are for other verifiers: skipped (a request signed only for others carries no signature here: refused only where one is required)</term><description>—</description></item>
/// <item><term>The first remaining label whose <c>keyid</c> names a credential of this key is verified</term><description>"unknown keyid" (also for another key's keyid); "keyid parameter is required"</description></item>
/// <item><term>Its <c>Signature</c> member is a byte sequence</term><description>"Signature has no byte sequence for the label"</description></item>
/// <item><term><c>created</c>: an integer, at most <see cref="MaxAgeSeconds"/> s old, at most <see cref="MaxFutureSkewSeconds"/> s ahead</term><description>"created parameter must be an integer", "created is more than 300 s old", "created is more than 30 s in the future"</description></item>
/// <item><term><c>nonce</c>: 1 to <see cref="MaxNonceLength"/> visible ASCII characters</term><description>"nonce parameter is required", "nonce must be 1 to 128 visible ASCII characters"</description></item>
/// <item><term><c>alg</c>: optional; when present, the credential's algorithm</term><description>"alg does not match the signing credential"</description></item>
/// <item><term><c>expires</c>: optional integer; refused once now ≥ expires</term><description>"expires parameter must be an integer", "signature expired"</description></item>
/// <item><term>The credential's own expiry</term><description>"signing credential expired"</description></item>
/// <item><term>Covered: <c>@method</c>, <c>@authority</c>, <c>@path</c>; <c>@query</c> when the request has a query; <c>content-digest</c> when it has a body (without parameters, or with <c>sf</c>)</term><description>"covered components must include @authority" (and so on)</description></item>
/// <item><term>With a body: a <c>Content-Digest</c> field; when the app passed the body's digest, they agree</term><description>"content-digest header is required for a request with a body", "content-digest does not match the body"</description></item>
/// <item><term>The signature base builds (RFC 9421 section 2.5; see <see cref="SignatureBase"/>)</term><description>e.g. "a covered field is absent", "a covered component is listed twice"</description></item>
/// <item><term>The signature verifies with the credential</term><description>"signature does not verify"</description></item>
/// <item><term>Only then: the nonce is new for this key (kept created + 330 s), so a forged request cannot burn a client's nonce</term><description>"nonce was already used"</description></item>
/// <item><term>… and can be remembered: the key holds fewer than its share of unexpired nonces, and the store has room (else refused, never forgotten: see <see cref="INonceStore"/>)</term><description>"too many signed requests for this key in the last 330 s", "signed requests cannot be remembered now"</description></item>
/// </list>
/// </remarks>
public static class MessageSignatureProfile
{
    /// <summary>The oldest <c>created</c> accepted, in seconds before now.</summary>
    public const int MaxAgeSeconds = 300;

    /// <summary>The furthest <c>created</c> may be ahead of this server's clock, in seconds.</summary>
    public const int MaxFutureSkewSeconds = 30;

    /// <summary>How long after <c>created</c> a nonce is remembered: the age window plus the skew.</summary>
    public static readonly TimeSpan NonceLifetime = TimeSpan.FromSeconds(MaxAgeSeconds + MaxFutureSkewSeconds);

    /// <summary>The most labels read from <c>Signature-Input</c> and <c>Signature</c>.</summary>
    public const int MaxLabels = 4;

    /// <summary>The longest nonce accepted, in characters.</summary>
    public const int MaxNonceLength = 128;

    /// <summary>
    /// The <c>tag</c> (RFC 9421 section 2.3) that marks a signature for this product. A signature
    /// with another tag is meant for another verifier and left alone; one without a tag is ours.
    /// </summary>
    public const string ApplicationTag = "apikey";

    /// <summary>The label <see cref="MessageSignatures.AcceptSignature"/> asks for.</summary>
    public const string AcceptLabel = "sig1";

    /// <summary>The texts of <see cref="SignatureOutcome.Detail"/>: fixed, short, safe to show.</summary>
    public static class Details
    {
        public const string Valid = "valid";
        public const string Missing = "no signature";
        public const string Unchecked = "signature not checked";
        public const string OneWithoutTheOther = "Signature-Input and Signature must both be present";
        public const string AuthorityUnreadable = "the request's authority cannot be read";
        public const string MalformedInput = "Signature-Input is malformed: ";
        public const string MalformedSignature = "Signature is malformed: ";
        public const string TooManyLabels = "more than 4 signatures";
        public const string NotAnInnerList = "a Signature-Input member is not an inner list";
        public const string KeyIdRequired = "keyid parameter is required";
        public const string UnknownKeyId = "unknown keyid";
        public const string NoSignatureBytes = "Signature has no byte sequence for the label";
        public const string CreatedRequired = "created parameter must be an integer";
        public const string NonceRequired = "nonce parameter is required";
        public const string NonceShape = "nonce must be 1 to 128 visible ASCII characters";
        public const string AlgMismatch = "alg does not match the signing credential";
        public const string ExpiresNotInteger = "expires parameter must be an integer";
        public const string SignatureExpired = "signature expired";
        public const string TooOld = "created is more than 300 s old";
        public const string InTheFuture = "created is more than 30 s in the future";
        public const string CredentialExpired = "signing credential expired";
        public const string MustCoverMethod = "covered components must include @method";
        public const string MustCoverAuthority = "covered components must include @authority";
        public const string MustCoverPath = "covered components must include @path";
        public const string MustCoverQuery = "covered components must include @query";
        public const string MustCoverContentDigest = "covered components must include content-digest";
        public const string ContentDigestRequired = "content-digest header is required for a request with a body";
        public const string ContentDigestMismatch = "content-digest does not match the body";
        public const string DoesNotVerify = "signature does not verify";
        public const string NonceUsed = "nonce was already used";
        public const string KeyNoncesFull = "too many signed requests for this key in the last 330 s";
        public const string NonceStoreFull = "signed requests cannot be remembered now";
    }

    /// <summary>
    /// The refusal text for what the nonce store answered (<see cref="INonceStore.TryUse"/>); null
    /// for <see cref="NonceUse.Accepted"/>. Any answer but Accepted refuses: an unknown one too.
    /// </summary>
    public static string? NonceRefusal(NonceUse use) => use switch
    {
        NonceUse.Accepted => null,
        NonceUse.KeyShareFull => Details.KeyNoncesFull,
        NonceUse.StoreFull => Details.NonceStoreFull,
        // Only a nonce whose created + 330 s has passed has nothing left to remember.
        NonceUse.Expired => Details.TooOld,
        _ => Details.NonceUsed,
    };
}
