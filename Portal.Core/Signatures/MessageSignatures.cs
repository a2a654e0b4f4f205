namespace Portal.Core.Signatures;

/// <summary>
/// Verifies a request's RFC 9421 HTTP message signature under the product's profile
/// (<see cref="MessageSignatureProfile"/>), and says what a client should sign.
/// </summary>
/// <remarks>Never logs, never throws for anything the client sent; every refusal is a fixed text.</remarks>
public static class MessageSignatures
{
    private const string ContentDigestComponent = "content-digest";

    // Accept-Signature (RFC 9421 section 5.1), by [hasQuery, hasBody].
    private static readonly string[] AcceptSignatures =
    [
        Accept(hasQuery: false, hasBody: false),
        Accept(hasQuery: false, hasBody: true),
        Accept(hasQuery: true, hasBody: false),
        Accept(hasQuery: true, hasBody: true),
    ];

    /// <summary>
    /// Verifies the signature of <paramref name="message"/> made with one of the key's
    /// <paramref name="credentials"/>, at <paramref name="now"/>, and on success records its nonce
    /// for <paramref name="keyId"/> in <paramref name="nonces"/>. Without <paramref name="nonces"/> the
    /// nonce is left for the caller to take once the request is otherwise allowed
    /// (<see cref="SignatureOutcome.Nonce"/>): a request refused for another reason then spends none.
    /// Missing when the request has no signature fields; Invalid, with the reason, when anything in the profile fails.
    /// </summary>
    public static SignatureOutcome Verify(SignedMessage message, ISigningCredentialSet credentials, Guid keyId, DateTimeOffset now, INonceStore? nonces)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(credentials);
        var hasInput = !string.IsNullOrEmpty(message.SignatureInput);
        var hasSignature = !string.IsNullOrEmpty(message.Signature);
        if (!hasInput)
        {
            // A Signature field alone is no RFC 9421 signature (earlier drafts and other protocols use
            // the name): to this profile the request carries none.
            return SignatureOutcome.Missing;
        }

        if (!hasSignature)
        {
            return Invalid(MessageSignatureProfile.Details.OneWithoutTheOther);
        }

        if (message.Authority.Length == 0)
        {
            // The door could not read the original authority (two forwarded hosts, a bad one): no
            // signature over it can be taken, least of all one over an empty @authority.
            return Invalid(MessageSignatureProfile.Details.AuthorityUnreadable);
        }

        if (!StructuredFields.TryParseDictionary(message.SignatureInput, refuseDuplicateKeys: true, out var inputs, out var error))
        {
            return Invalid(MessageSignatureProfile.Details.MalformedInput + error);
        }

        if (!StructuredFields.TryParseDictionary(message.Signature, refuseDuplicateKeys: true, out var signatures, out error))
        {
            return Invalid(MessageSignatureProfile.Details.MalformedSignature + error);
        }

        if (inputs.Count > MessageSignatureProfile.MaxLabels || signatures.Count > MessageSignatureProfile.MaxLabels)
        {
            return Invalid(MessageSignatureProfile.Details.TooManyLabels);
        }

        var chosen = FindCredential(inputs, credentials, out var label, out var covered, out var credential);
        if (ReferenceEquals(chosen, OtherVerifiersOnly))
        {
            // Signed for someone else only: to this verifier the request carries no signature.
            return SignatureOutcome.Missing;
        }

        if (chosen is not null)
        {
            return Invalid(chosen);
        }

        if (!signatures.TryGetValue(label!, out var signatureMember) || signatureMember.IsInnerList
            || signatureMember.Item.Value.Bytes is not { } signature)
        {
            return Invalid(MessageSignatureProfile.Details.NoSignatureBytes);
        }

        var problem = CheckParameters(covered!.Parameters, credential!, now, out var created, out var nonce)
            ?? CheckCoverage(message, covered)
            ?? CheckContentDigest(message);
        if (problem is not null)
        {
            return Invalid(problem);
        }

        var builder = new AsciiBuilder(SignatureBase.Scratch, SignatureBase.MaxLength);
        try
        {
            if (!SignatureBase.TryWrite(message, covered, ref builder, out error))
            {
                return Invalid(error!);
            }

            if (!credential!.Verifier.Verify(builder.Written, signature))
            {
                return Invalid(MessageSignatureProfile.Details.DoesNotVerify);
            }
        }
        finally
        {
            builder.Dispose();
        }

        // Only a verified signature spends its nonce, so a forger cannot burn a client's nonces.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(created) + MessageSignatureProfile.NonceLifetime;
        if (nonces is null)
        {
            return SignatureOutcome.Valid(credential.KeyId, nonce, expiresAt);
        }

        if (MessageSignatureProfile.NonceRefusal(nonces.TryUse(keyId, nonce!, expiresAt, now)) is { } refusal)
        {
            return Invalid(refusal);
        }

        return SignatureOutcome.Valid(credential.KeyId);
    }

    /// <summary>
    /// The <c>Accept-Signature</c> field value (RFC 9421 section 5.1) naming what a client must
    /// cover for this request, e.g.
    /// <c>sig1=("@method" "@authority" "@path" "@query" "content-digest");created;keyid;nonce;tag="apikey"</c>.
    /// </summary>
    public static string AcceptSignature(bool hasQuery, bool hasBody) => AcceptSignatures[(hasQuery ? 2 : 0) + (hasBody ? 1 : 0)];

    private static SignatureOutcome Invalid(string detail) => SignatureOutcome.Invalid(detail);

    // The first label meant for this product (no tag, or the application tag) whose keyid is a credential of this key.
    private static string? FindCredential(SfDictionary inputs, ISigningCredentialSet credentials, out string? label, out SfInnerList? covered, out SigningCredential? credential)
    {
        label = null;
        covered = null;
        credential = null;
        var withoutKeyId = false;
        var forThisVerifier = 0;
        foreach (var (name, member) in inputs.MemberSpan)
        {
            if (member.InnerList is not { } innerList)
            {
                return MessageSignatureProfile.Details.NotAnInnerList;
            }

            var parameters = innerList.Parameters;
            if (parameters.TryGet("tag", out var tag) && !tag.IsString(MessageSignatureProfile.ApplicationTag))
            {
                continue;
            }

            forThisVerifier++;
            if (!parameters.TryGet("keyid", out var keyId) || keyId.Type != SfType.String)
            {
                withoutKeyId = true;
                continue;
            }

            if (credentials.TryFind(keyId.Text!, out var found))
            {
                label = name;
                covered = innerList;
                credential = found;
                return null;
            }
        }

        return forThisVerifier == 0 ? OtherVerifiersOnly
            : withoutKeyId ? MessageSignatureProfile.Details.KeyIdRequired
            : MessageSignatureProfile.Details.UnknownKeyId;
    }

    // FindCredential's answer when every label is tagged for another verifier.
    private static readonly string OtherVerifiersOnly = new("other verifiers only");

    private static string? CheckParameters(SfParameters parameters, SigningCredential credential, DateTimeOffset now, out long created, out string? nonce)
    {
        created = 0;
        nonce = null;
        if (!parameters.TryGet("created", out var createdItem) || createdItem.Type != SfType.Integer)
        {
            return MessageSignatureProfile.Details.CreatedRequired;
        }

        created = createdItem.Integer;
        if (!parameters.TryGet("nonce", out var nonceItem) || nonceItem.Type != SfType.String)
        {
            return MessageSignatureProfile.Details.NonceRequired;
        }

        nonce = nonceItem.Text!;
        if (!IsNonce(nonce))
        {
            return MessageSignatureProfile.Details.NonceShape;
        }

        if (parameters.TryGet("alg", out var alg)
            && !(alg.Type == SfType.String && SignatureAlgorithms.TryParse(alg.Text, out var named) && named == credential.Algorithm))
        {
            return MessageSignatureProfile.Details.AlgMismatch;
        }

        var nowSeconds = now.ToUnixTimeSeconds();
        if (parameters.TryGet("expires", out var expires))
        {
            if (expires.Type != SfType.Integer)
            {
                return MessageSignatureProfile.Details.ExpiresNotInteger;
            }

            if (nowSeconds >= expires.Integer)
            {
                return MessageSignatureProfile.Details.SignatureExpired;
            }
        }

        if (nowSeconds - created > MessageSignatureProfile.MaxAgeSeconds)
        {
            return MessageSignatureProfile.Details.TooOld;
        }

        if (created - nowSeconds > MessageSignatureProfile.MaxFutureSkewSeconds)
        {
            return MessageSignatureProfile.Details.InTheFuture;
        }

        if (credential.ExpiresAt is { } credentialExpiry && credentialExpiry <= now)
        {
            return MessageSignatureProfile.Details.CredentialExpired;
        }

        return null;
    }

    private static bool IsNonce(string nonce)
    {
        if (nonce.Length is 0 or > MessageSignatureProfile.MaxNonceLength)
        {
            return false;
        }

        foreach (var c in nonce)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }

    private static string? CheckCoverage(SignedMessage message, SfInnerList covered)
    {
        bool method = false, authority = false, path = false, query = false, digest = false;
        foreach (var component in covered.ItemSpan)
        {
            if (component.Value.Type != SfType.String)
            {
                continue;
            }

            var parameters = component.Parameters;
            switch (component.Value.Text)
            {
                case "@method" when parameters.Count == 0:
                    method = true;
                    break;
                case "@authority" when parameters.Count == 0:
                    authority = true;
                    break;
                case "@path" when parameters.Count == 0:
                    path = true;
                    break;
                case "@query" when parameters.Count == 0:
                    query = true;
                    break;
                case ContentDigestComponent when parameters.Count == 0 || (parameters.Count == 1 && parameters[0].Key == "sf"):
                    digest = true;
                    break;
            }
        }

        if (!method)
        {
            return MessageSignatureProfile.Details.MustCoverMethod;
        }

        if (!authority)
        {
            return MessageSignatureProfile.Details.MustCoverAuthority;
        }

        if (!path)
        {
            return MessageSignatureProfile.Details.MustCoverPath;
        }

        if (message.Query is not null && !query)
        {
            return MessageSignatureProfile.Details.MustCoverQuery;
        }

        if (message.HasBody && !digest)
        {
            return MessageSignatureProfile.Details.MustCoverContentDigest;
        }

        return null;
    }

    // The field must be there (and is covered, so it is signed); its value is compared with the
    // body by whoever holds the body: here when the app passed the body's digest, otherwise the
    // gateway's upstream.
    private static string? CheckContentDigest(SignedMessage message)
    {
        if (!message.HasBody)
        {
            return null;
        }

        var header = message.Headers.TryGetValue("content-digest", out var lines) ? SignedMessage.JoinFieldValues(lines) : null;
        if (string.IsNullOrEmpty(header))
        {
            return MessageSignatureProfile.Details.ContentDigestRequired;
        }

        if (message.BodyDigest is null)
        {
            return null;
        }

        if (!ContentDigest.TryParse(header, out _, out var error))
        {
            return error;
        }

        return ContentDigest.Matches(header, message.BodyDigest) ? null : MessageSignatureProfile.Details.ContentDigestMismatch;
    }

    private static string Accept(bool hasQuery, bool hasBody)
    {
        var components = new List<SfItem>
        {
            Component("@method"),
            Component("@authority"),
            Component("@path"),
        };
        if (hasQuery)
        {
            components.Add(Component("@query"));
        }

        if (hasBody)
        {
            components.Add(Component(ContentDigestComponent));
        }

        var parameters = new SfParameters(
        [
            new SfParameter("created", SfBareItem.True),
            new SfParameter("keyid", SfBareItem.True),
            new SfParameter("nonce", SfBareItem.True),
            new SfParameter("tag", SfBareItem.FromString(MessageSignatureProfile.ApplicationTag)),
        ]);
        var dictionary = new SfDictionary([new(MessageSignatureProfile.AcceptLabel, new SfMember(new SfInnerList(components.ToArray(), parameters)))]);
        return StructuredFields.Serialize(dictionary);

        static SfItem Component(string name) => new(SfBareItem.FromString(name), SfParameters.Empty);
    }
}
