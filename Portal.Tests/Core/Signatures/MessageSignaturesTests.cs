using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>The product's RFC 9421 profile, rule by rule, with signatures made by a test client and a fake clock.</summary>
public sealed class MessageSignaturesTests : IDisposable
{
    private const string Covered = "(\"@method\" \"@authority\" \"@path\" \"content-digest\")";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly SigningClient _client = new();
    private readonly InMemoryNonceStore _nonces = new(10_000);
    private readonly Guid _key = Guid.NewGuid();
    private int _nonce;

    public void Dispose() => _client.Dispose();

    private long Created => _clock.GetUtcNow().ToUnixTimeSeconds();

    [Theory]
    [InlineData(SigningClient.HmacKeyId)]
    [InlineData(SigningClient.EcdsaKeyId)]
    [InlineData(SigningClient.Ed25519KeyId)]
    public void Verify_SignatureOverTheRequiredComponents_IsValid(string keyId)
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters(keyId));

        var outcome = Verify(message);

        Assert.Equal(SignatureStatus.Valid, outcome.Status);
        Assert.Equal(keyId, outcome.CredentialKeyId);
        Assert.Equal("valid", outcome.Detail);
    }

    [Fact]
    public void Verify_GetWithQueryAndNoBody_NeedsQueryButNotContentDigest()
    {
        var message = _client.Sign(SigningClient.Request("GET", "/orders", "page=2&size=10", body: null),
            "(\"@method\" \"@authority\" \"@path\" \"@query\")" + Parameters());

        Assert.Equal(SignatureStatus.Valid, Verify(message).Status);
    }

    [Fact]
    public void Verify_NoSignatureFields_IsMissing()
    {
        var outcome = Verify(SigningClient.Request());

        Assert.Equal(SignatureStatus.Missing, outcome.Status);
        Assert.Equal("no signature", outcome.Detail);
        Assert.Null(outcome.CredentialKeyId);
    }

    [Fact]
    public void Verify_SignatureInputWithoutSignature_IsInvalid_ASignatureAloneIsNoneOfThisProfile()
    {
        var signed = _client.Sign(SigningClient.Request(), Covered + Parameters());
        var inputOnly = SigningClient.With(signed, signature: "", keepSignatureFields: true);
        // A Signature field without Signature-Input is another protocol's (earlier drafts, ActivityPub): no signature here.
        var signatureOnly = SigningClient.With(signed, signatureInput: "", keepSignatureFields: true);

        AssertInvalid("Signature-Input and Signature must both be present", Verify(inputOnly));
        Assert.Equal(SignatureStatus.Missing, Verify(signatureOnly).Status);
    }

    [Fact]
    public void Verify_AuthorityThatCouldNotBeRead_IsInvalid()
    {
        var signed = _client.Sign(SigningClient.Request(), Covered + Parameters());
        var unreadable = new SignedMessage
        {
            Method = signed.Method, Authority = "", Path = signed.Path, Query = signed.Query, Headers = signed.Headers,
            SignatureInput = signed.SignatureInput, Signature = signed.Signature, HasBody = signed.HasBody,
        };

        AssertInvalid("the request's authority cannot be read", Verify(unreadable));
    }

    [Theory]
    [InlineData("sig1=(\"@method\"", "sig1=:AAAA:", "Signature-Input is malformed: an inner list is malformed")]
    [InlineData("sig1=();created=1, sig1=();created=2", "sig1=:AAAA:", "Signature-Input is malformed: a key appears twice")]
    [InlineData("sig1=();created=1;created=2", "sig1=:AAAA:", "Signature-Input is malformed: a parameter appears twice")]
    [InlineData("sig1=()", "sig1=:AAAA:, sig1=:AAAA:", "Signature is malformed: a key appears twice")]
    [InlineData("sig1=()", "sig1=:not base64:", "Signature is malformed: a byte sequence is malformed")]
    [InlineData("a=(), b=(), c=(), d=(), e=()", "a=:AAAA:", "more than 4 signatures")]
    [InlineData("sig1=\"@method\"", "sig1=:AAAA:", "a Signature-Input member is not an inner list")]
    [InlineData("sig1=(\"@method\");created=1", "sig1=:AAAA:", "keyid parameter is required")]
    [InlineData("sig1=(\"@method\");keyid=\"nobody\"", "sig1=:AAAA:", "unknown keyid")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\"", "sig2=:AAAA:", "Signature has no byte sequence for the label")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\"", "sig1=\"AAAA\"", "Signature has no byte sequence for the label")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\";nonce=\"n\"", "sig1=:AAAA:", "created parameter must be an integer")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\";nonce=\"n\";created=\"1800000000\"", "sig1=:AAAA:", "created parameter must be an integer")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\";created=1800000000", "sig1=:AAAA:", "nonce parameter is required")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\";created=1800000000;nonce=n", "sig1=:AAAA:", "nonce parameter is required")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\";created=1800000000;nonce=\"\"", "sig1=:AAAA:", "nonce must be 1 to 128 visible ASCII characters")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\";created=1800000000;nonce=\"two words\"", "sig1=:AAAA:", "nonce must be 1 to 128 visible ASCII characters")]
    [InlineData("sig1=(\"@method\");keyid=\"cred-hmac\";created=1800000000;nonce=\"n\";expires=\"soon\"", "sig1=:AAAA:", "expires parameter must be an integer")]
    public void Verify_BadSignatureFields_AreInvalidWithTheReason(string signatureInput, string signature, string detail)
    {
        var message = SigningClient.With(SigningClient.Request(), signatureInput: signatureInput, signature: signature);

        AssertInvalid(detail, Verify(message));
    }

    [Fact]
    public void Verify_NonceOf128VisibleCharacters_IsValidAnd129IsNot()
    {
        var longest = new string('n', 128);
        var valid = _client.Sign(SigningClient.Request(), Covered + $";created={Created};keyid=\"cred-hmac\";nonce=\"{longest}\"");
        var tooLong = _client.Sign(SigningClient.Request(), Covered + $";created={Created};keyid=\"cred-hmac\";nonce=\"{longest}x\"");

        Assert.Equal(SignatureStatus.Valid, Verify(valid).Status);
        AssertInvalid("nonce must be 1 to 128 visible ASCII characters", Verify(tooLong));
    }

    [Fact]
    public void Verify_TaggedForAnotherVerifier_IsSkippedAndTheApikeySignatureVerified()
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters() + ";tag=\"other-app\"", "theirs");
        message = SigningClient.With(message, signature: message.Signature!.Replace(message.Signature[(message.Signature.IndexOf(':') + 1)..^1], "AAAA", StringComparison.Ordinal));
        message = _client.Sign(message, Covered + Parameters() + ";tag=\"apikey\"", "ours");

        var outcome = Verify(message);

        Assert.Equal(SignatureStatus.Valid, outcome.Status);
    }

    [Fact]
    public void Verify_OnlyOtherVerifiersTags_IsNoSignatureForThisVerifier()
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters() + ";tag=\"other-app\"");

        Assert.Equal(SignatureStatus.Missing, Verify(message).Status);
    }

    [Fact]
    public void Verify_AnotherKeysCredential_IsAnsweredExactlyLikeAnUnknownKeyId()
    {
        using var otherKeysClient = new SigningClient();
        var signedForAnotherKey = otherKeysClient.Sign(SigningClient.Request(), Covered + Parameters());
        var unknown = _client.Sign(SigningClient.Request(), Covered + Parameters()).Signature;
        var unknownKeyId = SigningClient.With(SigningClient.Request(),
            signatureInput: $"sig1={Covered}{Parameters()}".Replace("cred-hmac", "cred-nobody", StringComparison.Ordinal), signature: unknown);

        // The other key's credentials are not in this key's set: both are simply not found.
        var another = MessageSignatures.Verify(signedForAnotherKey, SigningCredentialSet.Empty, _key, _clock.GetUtcNow(), _nonces);

        AssertInvalid("unknown keyid", another);
        AssertInvalid("unknown keyid", Verify(unknownKeyId));
    }

    [Fact]
    public void Verify_FirstLabelNamesNoCredential_TheNextOneThatDoesIsVerified()
    {
        var message = SigningClient.With(SigningClient.Request(), signatureInput: "stranger=(\"@method\");keyid=\"someone-else\"", signature: "stranger=:AAAA:");
        message = _client.Sign(message, Covered + Parameters(SigningClient.Ed25519KeyId), "mine");

        Assert.Equal(SigningClient.Ed25519KeyId, Verify(message).CredentialKeyId);
    }

    [Theory]
    [InlineData("(\"@authority\" \"@path\" \"content-digest\")", "covered components must include @method")]
    [InlineData("(\"@method\" \"@path\" \"content-digest\")", "covered components must include @authority")]
    [InlineData("(\"@method\" \"@authority\" \"content-digest\")", "covered components must include @path")]
    [InlineData("(\"@method\" \"@authority\" \"@path\" \"content-digest\")", "covered components must include @query")]
    [InlineData("(\"@method\" \"@authority\" \"@path\" \"@query\")", "covered components must include content-digest")]
    [InlineData("(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\";key=\"sha-256\")", "covered components must include content-digest")]
    [InlineData("(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\";bs)", "covered components must include content-digest")]
    public void Verify_RequiredComponentNotCovered_IsInvalid(string components, string detail)
    {
        var message = _client.Sign(SigningClient.Request(query: "confirm=1"), components + Parameters());

        AssertInvalid(detail, Verify(message));
    }

    [Fact]
    public void Verify_ContentDigestCoveredAsStructuredField_Counts()
    {
        var message = _client.Sign(SigningClient.Request(), "(\"@method\" \"@authority\" \"@path\" \"content-digest\";sf)" + Parameters());

        Assert.Equal(SignatureStatus.Valid, Verify(message).Status);
    }

    [Fact]
    public void Verify_BodyWithoutContentDigestField_IsInvalid()
    {
        var message = _client.Sign(SigningClient.Request(), "(\"@method\" \"@authority\" \"@path\" \"content-type\")" + Parameters());
        var withoutDigest = SigningClient.With(message, headers: new HeaderDictionary { ["Host"] = "api.example.com", ["Content-Type"] = "application/json" });
        var coveredButAbsent = SigningClient.With(SigningClient.Request(), signatureInput: $"sig1={Covered}{Parameters()}", signature: "sig1=:AAAA:",
            headers: withoutDigest.Headers);

        AssertInvalid("covered components must include content-digest", Verify(withoutDigest));
        AssertInvalid("content-digest header is required for a request with a body", Verify(coveredButAbsent));
    }

    [Fact]
    public void Verify_BodyDigestFromTheApp_MustAgreeWithTheSignedContentDigest()
    {
        var message = _client.Sign(SigningClient.Request(body: "{\"amount\": 100}"), Covered + Parameters());
        var sameBody = SigningClient.With(message, bodyDigest: ContentDigest.Compute(Encoding.UTF8.GetBytes("{\"amount\": 100}"), "sha-256"));
        var otherBody = SigningClient.With(message, bodyDigest: ContentDigest.Compute(Encoding.UTF8.GetBytes("{\"amount\": 100000}")));

        AssertInvalid("content-digest does not match the body", Verify(otherBody));
        Assert.Equal(SignatureStatus.Valid, Verify(sameBody).Status);
    }

    [Fact]
    public void Verify_MalformedContentDigestWithTheAppsBodyDigest_IsInvalid()
    {
        var headers = new HeaderDictionary { ["Host"] = "api.example.com", ["Content-Digest"] = "md5=:AAAA:" };
        var message = _client.Sign(SigningClient.With(SigningClient.Request(), headers: headers), Covered + Parameters());

        var outcome = Verify(SigningClient.With(message, bodyDigest: ContentDigest.Compute("{}"u8)));

        AssertInvalid("content-digest has no sha-256 or sha-512 member", outcome);
    }

    [Fact]
    public void Verify_WithoutTheAppsBodyDigest_TheSignedContentDigestIsLeftToWhoeverHoldsTheBody()
    {
        // At the gateway forms the upstream holds the body and checks the signed digest against it.
        var message = _client.Sign(SigningClient.Request(body: "{\"amount\": 100}"), Covered + Parameters());

        Assert.Equal(SignatureStatus.Valid, Verify(message).Status);
        Assert.False(ContentDigest.MatchesBody(message.Headers["Content-Digest"], "{\"amount\": 100000}"u8));
    }

    [Theory]
    [InlineData(SigningClient.HmacKeyId, "hmac-sha256", true)]
    [InlineData(SigningClient.EcdsaKeyId, "ecdsa-p256-sha256", true)]
    [InlineData(SigningClient.Ed25519KeyId, "ed25519", true)]
    [InlineData(SigningClient.HmacKeyId, "ed25519", false)]
    [InlineData(SigningClient.Ed25519KeyId, "ecdsa-p256-sha256", false)]
    [InlineData(SigningClient.HmacKeyId, "rsa-pss-sha512", false)]
    [InlineData(SigningClient.HmacKeyId, "HMAC-SHA256", false)]
    public void Verify_AlgParameter_MustBeTheCredentialsAlgorithm(string keyId, string alg, bool valid)
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters(keyId) + $";alg=\"{alg}\"");

        var outcome = Verify(message);

        if (valid)
        {
            Assert.Equal(SignatureStatus.Valid, outcome.Status);
        }
        else
        {
            AssertInvalid("alg does not match the signing credential", outcome);
        }
    }

    [Fact]
    public void Verify_ExpiresPassed_IsInvalidAndBeforeItIsValid()
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters() + $";expires={Created + 10}");
        var other = _client.Sign(SigningClient.Request(), Covered + Parameters() + $";expires={Created + 10}");

        Assert.Equal(SignatureStatus.Valid, Verify(message).Status);
        _clock.Advance(TimeSpan.FromSeconds(10));
        AssertInvalid("signature expired", Verify(other));
    }

    [Fact]
    public void Verify_CreatedUpTo300SecondsAgo_IsValidAndOneSecondMoreIsNot()
    {
        var oldest = _client.Sign(SigningClient.Request(), Covered + Parameters(created: Created - 300));
        var tooOld = _client.Sign(SigningClient.Request(), Covered + Parameters(created: Created - 301));

        Assert.Equal(SignatureStatus.Valid, Verify(oldest).Status);
        AssertInvalid("created is more than 300 s old", Verify(tooOld));
    }

    [Fact]
    public void Verify_ServerClockBehindByUpTo30Seconds_IsValidAndMoreIsNot()
    {
        // The client's clock runs ahead: created is in the server's future.
        var ahead30 = _client.Sign(SigningClient.Request(), Covered + Parameters(created: Created + 30));
        var ahead31 = _client.Sign(SigningClient.Request(), Covered + Parameters(created: Created + 31));

        Assert.Equal(SignatureStatus.Valid, Verify(ahead30).Status);
        AssertInvalid("created is more than 30 s in the future", Verify(ahead31));
    }

    [Fact]
    public void Verify_SignedRequestArrivingLate_IsValidUntilFiveMinutesOnTheFakeClock()
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters());

        _clock.Advance(TimeSpan.FromSeconds(299));
        var late = Verify(message);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var tooLate = Verify(message);

        Assert.Equal(SignatureStatus.Valid, late.Status);
        AssertInvalid("created is more than 300 s old", tooLate);
    }

    [Fact]
    public void Verify_ExpiredCredential_IsInvalid()
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters());

        var expired = MessageSignatures.Verify(message, _client.Credentials(_clock.GetUtcNow()), _key, _clock.GetUtcNow(), _nonces);
        var current = MessageSignatures.Verify(message, _client.Credentials(_clock.GetUtcNow().AddSeconds(1)), _key, _clock.GetUtcNow(), _nonces);

        AssertInvalid("signing credential expired", expired);
        Assert.Equal(SignatureStatus.Valid, current.Status);
    }

    [Theory]
    [InlineData("path")]
    [InlineData("query")]
    [InlineData("method")]
    [InlineData("authority")]
    [InlineData("digest")]
    [InlineData("signature-parameters")]
    public void Verify_RequestChangedAfterSigning_DoesNotVerify(string change)
    {
        var signed = _client.Sign(SigningClient.Request(query: "to=alice"), "(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\")" + Parameters());
        var changed = change switch
        {
            "path" => SigningClient.With(signed, path: "/payments/admin"),
            "query" => SigningClient.With(signed, query: "to=mallory"),
            "method" => new SignedMessage { Method = "PUT", Authority = signed.Authority, Path = signed.Path, Query = signed.Query, Headers = signed.Headers, SignatureInput = signed.SignatureInput, Signature = signed.Signature, HasBody = true },
            "authority" => new SignedMessage { Method = signed.Method, Authority = "evil.example", Path = signed.Path, Query = signed.Query, Headers = signed.Headers, SignatureInput = signed.SignatureInput, Signature = signed.Signature, HasBody = true },
            "digest" => SigningClient.With(signed, headers: new HeaderDictionary { ["Host"] = "api.example.com", ["Content-Digest"] = ContentDigest.Compute("{\"amount\": 1000000}"u8) }),
            _ => SigningClient.With(signed, signatureInput: signed.SignatureInput!.Replace("nonce=", "expires=9999999999;nonce=", StringComparison.Ordinal)),
        };

        AssertInvalid("signature does not verify", Verify(changed));
    }

    [Fact]
    public void Verify_SameSignedRequestTwice_TheReplayIsRefused()
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters());

        Assert.Equal(SignatureStatus.Valid, Verify(message).Status);
        AssertInvalid("nonce was already used", Verify(message));
    }

    [Fact]
    public void Verify_ForgedSignature_DoesNotSpendTheClientsNonce()
    {
        var genuine = _client.Sign(SigningClient.Request(), Covered + Parameters(nonce: "n-forged"));
        var forged = SigningClient.With(genuine, signature: "sig1=:" + Convert.ToBase64String(new byte[32]) + ":");

        AssertInvalid("signature does not verify", Verify(forged));
        Assert.Equal(SignatureStatus.Valid, Verify(genuine).Status);
    }

    [Fact]
    public void Verify_SameNonceUnderAnotherKey_IsNotAReplay()
    {
        var message = _client.Sign(SigningClient.Request(), Covered + Parameters(nonce: "shared"));

        var first = MessageSignatures.Verify(message, _client.Credentials(), Guid.NewGuid(), _clock.GetUtcNow(), _nonces);
        var second = MessageSignatures.Verify(message, _client.Credentials(), Guid.NewGuid(), _clock.GetUtcNow(), _nonces);

        Assert.Equal(SignatureStatus.Valid, first.Status);
        Assert.Equal(SignatureStatus.Valid, second.Status);
    }

    [Fact]
    public void Verify_NonceThatCannotBeRemembered_IsRefusedSayingWhy_NotAsAReplay()
    {
        // Room for two nonces, one per key: the first key's second request is over its share, a third key finds the store full.
        var store = new InMemoryNonceStore(capacity: 2, capacityPerKey: 1);
        var (first, second, third) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        SignatureOutcome Check(Guid key) =>
            MessageSignatures.Verify(_client.Sign(SigningClient.Request(), Covered + Parameters()), _client.Credentials(), key, _clock.GetUtcNow(), store);

        Assert.Equal(SignatureStatus.Valid, Check(first).Status);
        AssertInvalid("too many signed requests for this key in the last 330 s", Check(first));
        Assert.Equal(SignatureStatus.Valid, Check(second).Status);
        AssertInvalid("signed requests cannot be remembered now", Check(third));
    }

    [Fact]
    public void Verify_Refusals_NeverEchoTheInput()
    {
        const string marker = "zzmarkerzz";
        var messages = new[]
        {
            SigningClient.With(SigningClient.Request(), signatureInput: $"sig1=(\"@method\");keyid=\"{marker}\"", signature: "sig1=:AAAA:"),
            SigningClient.With(SigningClient.Request(), signatureInput: $"{marker}=(\"{marker}\")", signature: $"{marker}=:AAAA:"),
            SigningClient.With(SigningClient.Request(), signatureInput: $"sig1=(\"x-{marker}\" \"@method\" \"@authority\" \"@path\" \"content-digest\"){Parameters()}", signature: "sig1=:AAAA:"),
            SigningClient.With(SigningClient.Request(), signatureInput: $"sig1=(\"@method\");created=1;keyid=\"cred-hmac\";nonce=\"{marker} x\"", signature: "sig1=:AAAA:"),
        };

        foreach (var message in messages)
        {
            var outcome = Verify(message);
            Assert.Equal(SignatureStatus.Invalid, outcome.Status);
            Assert.DoesNotContain(marker, outcome.Detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(false, false, "sig1=(\"@method\" \"@authority\" \"@path\");created;keyid;nonce;tag=\"apikey\"")]
    [InlineData(false, true, "sig1=(\"@method\" \"@authority\" \"@path\" \"content-digest\");created;keyid;nonce;tag=\"apikey\"")]
    [InlineData(true, false, "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created;keyid;nonce;tag=\"apikey\"")]
    [InlineData(true, true, "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");created;keyid;nonce;tag=\"apikey\"")]
    public void AcceptSignature_NamesWhatToCover(bool hasQuery, bool hasBody, string expected)
    {
        Assert.Equal(expected, MessageSignatures.AcceptSignature(hasQuery, hasBody));
        Assert.Same(MessageSignatures.AcceptSignature(hasQuery, hasBody), MessageSignatures.AcceptSignature(hasQuery, hasBody));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void AcceptSignature_ClientThatFollowsIt_IsValid(bool hasQuery, bool hasBody)
    {
        // Take the components and parameter names from the hint, fill in the values, sign.
        Assert.True(StructuredFields.TryParseDictionary(MessageSignatures.AcceptSignature(hasQuery, hasBody), out var hint, out _));
        var (label, requested) = (hint.Members[0].Key, hint.Members[0].Value.InnerList!);
        var components = "(" + string.Join(' ', requested.Items.Select(i => i.ToString())) + ")";
        var values = new Dictionary<string, string> { ["created"] = $"{Created}", ["keyid"] = $"\"{SigningClient.HmacKeyId}\"", ["nonce"] = "\"follow-1\"" };
        var parameters = string.Concat(requested.Parameters.AsSpan().ToArray().Select(p => p.Value.Type == SfType.Boolean ? $";{p.Key}={values[p.Key]}" : $";{p.Key}={p.Value}"));
        var request = SigningClient.Request(query: hasQuery ? "q=1" : null, body: hasBody ? "{}" : null);

        var outcome = Verify(_client.Sign(request, components + parameters, label));

        Assert.Equal(SignatureStatus.Valid, outcome.Status);
    }

    private SignatureOutcome Verify(SignedMessage message)
        => MessageSignatures.Verify(message, _client.Credentials(), _key, _clock.GetUtcNow(), _nonces);

    private string Parameters(string keyId = SigningClient.HmacKeyId, long? created = null, string? nonce = null)
        => $";created={created ?? Created};keyid=\"{keyId}\";nonce=\"{nonce ?? $"nonce-{Interlocked.Increment(ref _nonce)}"}\"";

    private static void AssertInvalid(string detail, SignatureOutcome outcome)
    {
        Assert.Equal(SignatureStatus.Invalid, outcome.Status);
        Assert.Equal(detail, outcome.Detail);
        Assert.Null(outcome.CredentialKeyId);
    }
}
