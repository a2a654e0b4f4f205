namespace Portal.Core.Signatures;

/// <summary>What the signature check found. The default value is <see cref="Invalid"/>, so a forgotten outcome fails closed.</summary>
public enum SignatureStatus
{
    /// <summary>A signature was sent and is refused (see <see cref="SignatureOutcome.Detail"/>).</summary>
    Invalid = 0,

    /// <summary>Neither <c>Signature-Input</c> nor <c>Signature</c> was sent.</summary>
    Missing = 1,

    /// <summary>A signature of one of the key's credentials verified, and its nonce was new.</summary>
    Valid = 2,
}

/// <summary>
/// The answer of <see cref="MessageSignatures.Verify"/>: a status and a short fixed English text
/// naming the problem, safe to return to the client (it never repeats the input and never tells an
/// unknown <c>keyid</c> from another key's).
/// </summary>
public readonly struct SignatureOutcome
{
    private readonly string? _detail;

    private SignatureOutcome(SignatureStatus status, string detail, string? credentialKeyId, string? nonce = null, DateTimeOffset nonceExpiresAt = default)
    {
        Status = status;
        _detail = detail;
        CredentialKeyId = credentialKeyId;
        Nonce = nonce;
        NonceExpiresAt = nonceExpiresAt;
    }

    /// <summary>
    /// For a valid signature verified without a nonce store: its nonce, which the caller must take
    /// (<see cref="INonceStore.TryUse"/>, until <see cref="NonceExpiresAt"/>) before it allows the request.
    /// Null when the nonce was already taken.
    /// </summary>
    public string? Nonce { get; }

    /// <summary>Until when <see cref="Nonce"/> must be remembered: <c>created</c> + <see cref="MessageSignatureProfile.NonceLifetime"/>.</summary>
    public DateTimeOffset NonceExpiresAt { get; }

    public SignatureStatus Status { get; }

    /// <summary>Why, e.g. "created is more than 300 s old"; "valid" and "no signature" for the other two.</summary>
    public string Detail => _detail ?? MessageSignatureProfile.Details.Unchecked;

    /// <summary>The <c>keyid</c> of the credential whose signature verified; null unless valid.</summary>
    public string? CredentialKeyId { get; }

    public bool IsValid => Status == SignatureStatus.Valid;

    public static SignatureOutcome Missing { get; } = new(SignatureStatus.Missing, MessageSignatureProfile.Details.Missing, null);

    internal static SignatureOutcome Valid(string credentialKeyId, string? pendingNonce = null, DateTimeOffset nonceExpiresAt = default) =>
        new(SignatureStatus.Valid, MessageSignatureProfile.Details.Valid, credentialKeyId, pendingNonce, nonceExpiresAt);

    internal static SignatureOutcome Invalid(string detail) => new(SignatureStatus.Invalid, detail, null);

    public override string ToString() => $"{Status}: {Detail}";
}
