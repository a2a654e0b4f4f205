using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Portal.E2E.Gateway;

/// <summary>
/// RFC 9421 request signatures through the documented nginx configuration, signed by a client that
/// shares no code with the Portal: the npm package <c>http-message-signatures</c> (see
/// <see cref="SigningClient"/>), sending with Node.js's http module. The keys, their signing credentials
/// (hmac-sha256 secrets made by the Portal, ecdsa-p256-sha256 and ed25519 public keys made by Node.js) and
/// the signature switches (an endpoint rule's, a key's, an API's) are set through the management API.
/// </summary>
/// <remarks>
/// What this proves: nginx's auth_request passes the client's Signature, Signature-Input and
/// Content-Digest to the header-form door with the original method and target, and the original
/// authority in X-Forwarded-Host, so that the door rebuilds the very signature base the independent
/// library signed; the app behind nginx gets the signature fields and the body and checks the body
/// against Content-Digest. A request sent again byte for byte, an unsigned one where a signature is
/// required, and one signed for another method, path, query, body or authority are refused at the
/// client with 401, the reason in X-Auth-Code and, on a refusal, Accept-Signature naming what to cover.
/// </remarks>
[Collection(NginxCollection.Name)]
public sealed class NginxSignatureTests(NginxGateway gateway)
{
    /// <summary>The components the profile asks for on a request without a body.</summary>
    private static readonly string[] Required = ["@method", "@authority", "@path"];

    /// <summary>A signing credential as registered: its <c>keyid</c>, and what the client signs with.</summary>
    private sealed record Credential(Guid Id, string KeyId, string Algorithm, string? SecretBase64, string? PrivateKeyPem);

    /// <summary>A key made through the management API, and its token.</summary>
    private sealed record Key(Guid Id, string Token);

    /// <summary>How a request differs from the one that was signed (or what is wrong with its signature).</summary>
    public enum Refusal
    {
        /// <summary>Signed for <c>POST /payments2</c>, sent to <c>/payments</c>.</summary>
        OtherPath,

        /// <summary>Signed for <c>PUT /payments</c>, sent as <c>POST</c>.</summary>
        OtherMethod,

        /// <summary>Signed with <c>?amount=5</c>, sent with <c>?amount=500</c> (<c>@query</c> is covered).</summary>
        OtherQuery,

        /// <summary>Signed over one body's Content-Digest, sent with another body and that body's (correct) digest.</summary>
        OtherBody,

        /// <summary>Signed for the authority <c>shop.example</c>, sent to nginx's.</summary>
        OtherAuthority,

        /// <summary>Signed for <c>shop.example</c>, sent to nginx's with <c>X-Forwarded-Host: shop.example</c>, which nginx replaces.</summary>
        ForgedForwardedHost,

        /// <summary>Created ten minutes ago (the limit is five).</summary>
        Stale,

        /// <summary>Created two minutes ahead (30 s of skew are allowed).</summary>
        FromTheFuture,

        /// <summary>A <c>keyid</c> no credential has.</summary>
        UnknownKeyId,

        /// <summary>Made with another secret than the credential's.</summary>
        WrongSecret,
    }

    [Fact]
    public async Task SignedPost_ReachesTheAppWithItsSignatureAndBody_AndTheSameRequestAgainIsRefused()
    {
        await EnsurePaymentsRuleAsync();
        var key = await CreateKeyAsync(requireSignature: false, "payments:write", "orders:read");
        var credential = await AddHmacCredentialAsync(key);
        var body = """{"amount":125,"currency":"EUR"}""";

        var (signed, requestId) = await SignAsync(key, credential, "POST", "/payments", body);

        Assert.True(signed.Response!.Status == 200, signed.Describe() + "\n" + gateway.NginxErrorLog());
        var received = Assert.Single(gateway.ShopApp.ReceivedFor(requestId));
        Assert.Equal(("POST", "/payments"), (received.Method, received.Target));
        Assert.Contains("payments:write", received.Scopes);
        Assert.Equal(body, received.Body);
        Assert.Equal(signed.Request.Header("Signature"), received.Header("Signature"));
        Assert.Equal(signed.Request.Header("Signature-Input"), received.Header("Signature-Input"));
        Assert.Equal(signed.Request.Header("Content-Digest"), received.Header("Content-Digest"));

        // Byte for byte again, from another client: the nonce was spent.
        var replay = await RawHttp.SendWithBodyAsync(gateway.RulesGatewayPort, "POST", "/payments", body, signed.Request.HeaderList);

        AssertRefused(replay, "SIGNATURE_INVALID", signed);
        Assert.Single(gateway.ShopApp.ReceivedFor(requestId));
    }

    [Fact]
    public async Task UnsignedRequest_WhereTheRuleRequiresASignature_Gets401SignatureRequiredWithWhatToCover_WhileOtherRulesPassUnsigned()
    {
        await EnsurePaymentsRuleAsync();
        var key = await CreateKeyAsync(requireSignature: false, "payments:write", "orders:read");
        var body = """{"amount":1}""";

        var unsigned = await RawHttp.SendWithBodyAsync(gateway.RulesGatewayPort, "POST", "/payments", body,
            ("Authorization", $"Bearer {key.Token}"), ("Content-Type", "application/json"), ("Content-Length", body.Length.ToString()));
        var (open, openId) = await SendUnsignedAsync(key, "GET", "/orders/7");

        AssertRefused(unsigned, "SIGNATURE_REQUIRED");
        var accept = unsigned.Header("Accept-Signature")!;
        foreach (var component in (string[])[.. Required, "content-digest"])
        {
            Assert.Contains($"\"{component}\"", accept);
        }

        Assert.Equal(200, open.Status);
        Assert.Single(gateway.ShopApp.ReceivedFor(openId));
    }

    [Theory]
    [InlineData(Refusal.OtherPath)]
    [InlineData(Refusal.OtherMethod)]
    [InlineData(Refusal.OtherQuery)]
    [InlineData(Refusal.OtherBody)]
    [InlineData(Refusal.OtherAuthority)]
    [InlineData(Refusal.ForgedForwardedHost)]
    [InlineData(Refusal.Stale)]
    [InlineData(Refusal.FromTheFuture)]
    [InlineData(Refusal.UnknownKeyId)]
    [InlineData(Refusal.WrongSecret)]
    public async Task SignatureThatDoesNotFitTheRequest_Gets401SignatureInvalid(Refusal refusal)
    {
        await EnsurePaymentsRuleAsync();
        var key = await CreateKeyAsync(requireSignature: false, "payments:write");
        var credential = await AddHmacCredentialAsync(key);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (body, sentBody) = ("""{"amount":5}""", """{"amount":500}""");
        var sign = refusal switch
        {
            Refusal.OtherPath => new SigningPlan("POST", "/payments2", body),
            Refusal.OtherMethod => new SigningPlan("PUT", "/payments", body),
            Refusal.OtherQuery => new SigningPlan("POST", "/payments?amount=5", body),
            Refusal.OtherAuthority or Refusal.ForgedForwardedHost => new SigningPlan("POST", "/payments", body, Authority: "shop.example"),
            Refusal.Stale => new SigningPlan("POST", "/payments", body, Created: now - 600),
            Refusal.FromTheFuture => new SigningPlan("POST", "/payments", body, Created: now + 120),
            _ => new SigningPlan("POST", "/payments", body),
        };
        credential = refusal switch
        {
            Refusal.UnknownKeyId => credential with { KeyId = "sig_" + Guid.NewGuid().ToString("N") },
            Refusal.WrongSecret => credential with { SecretBase64 = Convert.ToBase64String(new byte[32]) },
            _ => credential,
        };

        var (signed, requestId) = await SignAsync(key, credential, sign.Method, sign.Target, sign.Body, send: false, sign.Authority, sign.Created);
        var headers = signed.Request.HeaderList;
        var (target, sentContent) = refusal switch
        {
            Refusal.OtherQuery => ("/payments?amount=500", body),
            // The body changes and so does its digest (the app would accept it): only the signature tells.
            Refusal.OtherBody => ("/payments", sentBody),
            _ => ("/payments", body),
        };
        if (refusal == Refusal.OtherBody)
        {
            var digest = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sentBody)));
            headers = [.. headers.Select(h => h.Name.Equals("content-digest", StringComparison.OrdinalIgnoreCase) ? (h.Name, $"sha-256=:{digest}:")
                : h.Name.Equals("content-length", StringComparison.OrdinalIgnoreCase) ? (h.Name, sentBody.Length.ToString()) : h)];
        }

        if (refusal == Refusal.ForgedForwardedHost)
        {
            headers = [.. headers, ("X-Forwarded-Host", "shop.example")];
        }

        var response = await RawHttp.SendWithBodyAsync(gateway.RulesGatewayPort, "POST", target, sentContent, headers);

        AssertRefused(response, "SIGNATURE_INVALID", signed);
        Assert.Empty(gateway.ShopApp.ReceivedFor(requestId));
    }

    [Fact]
    public async Task BodyThatDoesNotMatchItsSignedDigest_PassesTheCheckAndIsRefusedByTheApp()
    {
        // The Portal never sees the body: it checks that the signature covers Content-Digest, and the
        // app checks the body against it. Same length, other bytes, the signed digest kept.
        await EnsurePaymentsRuleAsync();
        var key = await CreateKeyAsync(requireSignature: false, "payments:write");
        var credential = await AddHmacCredentialAsync(key);
        var (signed, requestId) = await SignAsync(key, credential, "POST", "/payments", """{"amount":100}""", send: false);

        var response = await RawHttp.SendWithBodyAsync(gateway.RulesGatewayPort, "POST", "/payments", """{"amount":900}""", signed.Request.HeaderList);

        Assert.True(response.Status == 400, signed.Describe());
        Assert.Equal("upstream content-digest mismatch\n", response.Body);
        Assert.Equal("""{"amount":900}""", Assert.Single(gateway.ShopApp.ReceivedFor(requestId)).Body);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa-p256-sha256")]
    public async Task PublicKeyCredential_SignedGetWithAQuery_Passes_WhereTheKeyRequiresSignatures(string algorithm)
    {
        var key = await CreateKeyAsync(requireSignature: true, "orders:read");
        var (privateKey, publicKey) = await SigningClient.GenerateKeyPairAsync(algorithm);
        var registered = await ManageAsync(HttpMethod.Post, $"/api/v1/keys/{key.Id}/signing-credentials", new { algorithm, publicKey }, HttpStatusCode.Created);
        Assert.Equal(algorithm, registered.GetProperty("algorithm").GetString());
        Assert.False(registered.TryGetProperty("secret", out _));
        var credential = new Credential(registered.GetProperty("id").GetGuid(), registered.GetProperty("keyId").GetString()!, algorithm, null, privateKey);

        var (signed, requestId) = await SignAsync(key, credential, "GET", "/orders/7?expand=items&page=2");
        var (unsigned, unsignedId) = await SendUnsignedAsync(key, "GET", "/orders/7?expand=items&page=2");

        Assert.True(signed.Response!.Status == 200, signed.Describe() + "\n" + gateway.NginxErrorLog());
        Assert.Contains("\"@query\": ?expand=items&page=2", signed.SignatureBase);
        var received = Assert.Single(gateway.ShopApp.ReceivedFor(requestId));
        Assert.Equal(("GET", "/orders/7?expand=items&page=2"), (received.Method, received.Target));
        Assert.Equal(signed.Request.Header("Signature"), received.Header("Signature"));
        AssertRefused(unsigned, "SIGNATURE_REQUIRED");
        Assert.Empty(gateway.ShopApp.ReceivedFor(unsignedId));
    }

    [Fact]
    public async Task RevokedCredential_Gets401SignatureInvalid()
    {
        var key = await CreateKeyAsync(requireSignature: true, "orders:read");
        var credential = await AddHmacCredentialAsync(key);
        var (before, _) = await SignAsync(key, credential, "GET", "/orders/8");
        Assert.True(before.Response!.Status == 200, before.Describe());

        var revoked = await ManageAsync(HttpMethod.Delete, $"/api/v1/keys/{key.Id}/signing-credentials/{credential.Id}", null, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.String, revoked.GetProperty("revokedAt").ValueKind);
        var (after, afterId) = await SignAsync(key, credential, "GET", "/orders/8");

        AssertRefused(after.Response!, "SIGNATURE_INVALID", after);
        Assert.Empty(gateway.ShopApp.ReceivedFor(afterId));
    }

    [Fact]
    public async Task SignatureTag_ApikeyIsThePortals_ASignatureTaggedForAnotherVerifierIsLeftAlone()
    {
        var key = await CreateKeyAsync(requireSignature: true, "orders:read");
        var credential = await AddHmacCredentialAsync(key);

        // The Portal's tag, alone: verified.
        var (ours, oursId) = await SignAsync(key, credential, "GET", "/orders/9", tag: "apikey");

        // A genuine signature with this key's credential, but tagged for another verifier: not the
        // Portal's, so the request carries none for it: refused as unsigned where the key requires a signature.
        var (foreign, foreignId) = await SignAsync(key, credential, "GET", "/orders/9", tag: "payments-app");

        // Another verifier's signature (a secret the Portal does not know) beside the Portal's:
        // http-message-signatures adds the second label ("sig0") to the fields the first one made.
        var (other, _) = await SignAsync(key, credential with { SecretBase64 = Convert.ToBase64String(new byte[32]) }, "GET", "/orders/9", send: false, tag: "payments-app");
        var (both, bothId) = await SignAsync(key, credential, "GET", "/orders/9", tag: "apikey",
            extraHeaders: [("Signature", other.Request.Header("Signature")!), ("Signature-Input", other.Request.Header("Signature-Input")!)]);

        Assert.True(ours.Response!.Status == 200, ours.Describe());
        Assert.Single(gateway.ShopApp.ReceivedFor(oursId));
        AssertRefused(foreign.Response!, "SIGNATURE_REQUIRED", foreign);
        Assert.Empty(gateway.ShopApp.ReceivedFor(foreignId));
        Assert.StartsWith("sig=", both.Request.Header("Signature-Input"));
        Assert.Contains(", sig0=", both.Request.Header("Signature-Input"));
        Assert.True(both.Response!.Status == 200, both.Describe());
        Assert.Single(gateway.ShopApp.ReceivedFor(bothId));
    }

    [Fact]
    public async Task ApiThatRequiresSignatures_ExampleA_RefusesUnsignedAndPassesSigned()
    {
        // Example A: one scope per location, on another API; the API's switch, not a rule or the key.
        var key = await CreateKeyAsync(requireSignature: false, "orders:read");
        var credential = await AddHmacCredentialAsync(key);
        await ManageAsync(HttpMethod.Patch, $"/api/v1/apis/{gateway.OrdersApiId}", new { requireSignature = true }, HttpStatusCode.OK);
        try
        {
            var (signed, _) = await SignAsync(key, credential, "GET", "/orders/10", port: gateway.GatewayPort);
            var unsigned = await RawHttp.SendAsync(gateway.GatewayPort, "GET", "/orders/10", ("Authorization", $"Bearer {key.Token}"));

            Assert.True(signed.Response!.Status == 200, signed.Describe() + "\n" + gateway.NginxErrorLog());
            Assert.StartsWith("upstream key=", signed.Response.Body);
            Assert.Contains("uri=/orders/10", signed.Response.Body);
            AssertRefused(unsigned, "SIGNATURE_REQUIRED");
        }
        finally
        {
            await ManageAsync(HttpMethod.Patch, $"/api/v1/apis/{gateway.OrdersApiId}", new { requireSignature = false }, HttpStatusCode.OK);
        }
    }

    /// <summary>What the client signs, when it is not what is sent.</summary>
    private sealed record SigningPlan(string Method, string Target, string? Body, string? Authority = null, long? Created = null);

    /// <summary>
    /// Signs <paramref name="method"/> <paramref name="target"/> for the authority nginx listens on (or
    /// <paramref name="authority"/>) with the components the profile asks for, and by default sends it
    /// to example B (or <paramref name="port"/>); the id in <see cref="RecordingUpstream.RequestIdHeader"/> finds it at the app.
    /// <paramref name="extraHeaders"/> go out too (signature fields among them get the new label added).
    /// </summary>
    private async Task<(SigningClient.Exchange Exchange, string RequestId)> SignAsync(
        Key key, Credential credential, string method, string target, string? body = null, bool send = true,
        string? authority = null, long? created = null, string? tag = null, int? port = null, (string Name, string Value)[]? extraHeaders = null)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var gatewayPort = port ?? gateway.RulesGatewayPort;
        List<string> components = [.. Required];
        if (target.Contains('?'))
        {
            components.Add("@query");
        }

        Dictionary<string, string> headers = new()
        {
            ["Authorization"] = $"Bearer {key.Token}",
            [RecordingUpstream.RequestIdHeader] = requestId,
        };
        foreach (var (name, value) in extraHeaders ?? [])
        {
            headers[name] = value;
        }

        if (body is not null)
        {
            components.Add("content-digest");
            headers["Content-Type"] = "application/json";
        }

        var exchange = await SigningClient.SignAsync(new SigningClient.Input(
            $"http://{authority ?? $"127.0.0.1:{gatewayPort}"}{target}",
            method,
            headers,
            body,
            credential.KeyId,
            credential.Algorithm,
            credential.SecretBase64,
            credential.PrivateKeyPem,
            components,
            created,
            Tag: tag,
            Send: send));
        return (exchange, requestId);
    }

    private async Task<(RawHttp.Response Response, string RequestId)> SendUnsignedAsync(Key key, string method, string target)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var response = await RawHttp.SendAsync(
            gateway.RulesGatewayPort, method, target, ("Authorization", $"Bearer {key.Token}"), (RecordingUpstream.RequestIdHeader, requestId));
        return (response, requestId);
    }

    /// <summary>A 401 with the reason in X-Auth-Code, the Bearer challenge nginx passes on and the Accept-Signature it adds.</summary>
    private void AssertRefused(RawHttp.Response response, string code, SigningClient.Exchange? signed = null)
    {
        var context = $"Expected 401 {code}, got {response.Status} X-Auth-Code={response.Header("X-Auth-Code")}\n{signed?.Describe()}" +
            (response.Status >= 500 ? $"\n{gateway.NginxErrorLog()}" : "");
        Assert.True(response.Status == 401, context);
        Assert.True(response.Header("X-Auth-Code") == code, context);
        Assert.Contains("error=\"invalid_token\"", response.Header("WWW-Authenticate") ?? "");
        Assert.StartsWith("Bearer", response.Header("WWW-Authenticate") ?? "");
        var accept = response.Header("Accept-Signature") ?? "";
        Assert.All(Required, component => Assert.Contains($"\"{component}\"", accept));
        Assert.DoesNotContain("upstream ", response.Body);
    }

    /// <summary>The shop API's rule <c>POST /payments</c> (payments:write, signature required), added once through the management API.</summary>
    private async Task EnsurePaymentsRuleAsync() =>
        await ManageAsync(HttpMethod.Post, $"/api/v1/apis/{gateway.ShopApiId}/rules",
            new { method = "POST", pathTemplate = "/payments", scope = "payments:write", signatureRequired = true },
            HttpStatusCode.Created, HttpStatusCode.Conflict);

    private async Task<Key> CreateKeyAsync(bool requireSignature, params string[] scopes)
    {
        var issued = await ManageAsync(HttpMethod.Post, "/api/v1/keys",
            new { name = $"signer {Guid.NewGuid():N}", scopes, requireSignature }, HttpStatusCode.Created);
        return new Key(issued.GetProperty("key").GetProperty("id").GetGuid(), issued.GetProperty("token").GetString()!);
    }

    private async Task<Credential> AddHmacCredentialAsync(Key key)
    {
        var issued = await ManageAsync(HttpMethod.Post, $"/api/v1/keys/{key.Id}/signing-credentials", new { algorithm = "hmac-sha256" }, HttpStatusCode.Created);
        var secret = issued.GetProperty("secret").GetString()!;
        Assert.Equal(32, Convert.FromBase64String(secret).Length);
        Assert.StartsWith("sig_", issued.GetProperty("keyId").GetString());
        return new Credential(issued.GetProperty("id").GetGuid(), issued.GetProperty("keyId").GetString()!, "hmac-sha256", secret, null);
    }

    /// <summary>One management API call with the fixture's manager key; fails unless the status is one of <paramref name="expected"/>.</summary>
    private async Task<JsonElement> ManageAsync(HttpMethod method, string path, object? body, params HttpStatusCode[] expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.ManagerToken);
        using var response = await gateway.Portal.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected.Contains(response.StatusCode), $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
