using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Access;
using Portal.Core.Apis;
using Portal.Core.Keys;
using Portal.Core.Protections;
using Portal.Core.Signatures;
using Portal.Core.Validation;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Auth;

/// <summary>
/// RFC 9421 request signatures at every door, over real HTTP: credentials registered through the
/// management API, signatures made here by building the signature base by hand from the RFC's
/// rules (not with the product's code), and the requirement coming from an endpoint rule, the key or
/// the API. Gateways' requests come from a trusted proxy (10.0.0.0/8) with the original method,
/// target and authority in forwarding headers.
/// </summary>
public abstract class SignatureDoorTests(DoorApp app)
{
    private const string Proxy = "10.1.2.3";
    private const string Authority = "api.example.com";

    // The Content-Digest every POST of these tests carries (the gateway checks it is covered; the app checks the body).
    private static readonly string Body = Digest("{\"amount\":1}");

    [Fact]
    public async Task RuleRequiresSignature_SignedPasses_UnsignedReplayedAndTamperedAreRefused()
    {
        var owner = await app.NewUserAsync();
        await AddRuleAsync(owner, "POST", "/payments", "payments:write", signatureRequired: true);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var key = await app.CreateKeyAsync(owner, ["payments:write", "orders:read"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);

        using var unsigned = await CheckAsync(owner, key.Token, "POST", "/payments", body: true);
        var signature = Sign(secret, "POST", "/payments", query: null, bodyDigest: Body);
        using var signed = await CheckAsync(owner, key.Token, "POST", "/payments", signature);
        using var replayed = await CheckAsync(owner, key.Token, "POST", "/payments", signature);
        using var otherPath = await CheckAsync(owner, key.Token, "POST", "/payments?to=mallory", Sign(secret, "POST", "/payments", null, Body));
        using var open = await CheckAsync(owner, key.Token, "GET", "/orders/7");

        Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_REQUIRED"), (unsigned.StatusCode, unsigned.Header("X-Auth-Code")));
        Assert.Equal("""sig1=("@method" "@authority" "@path" "content-digest");created;keyid;nonce;tag="apikey" """.TrimEnd(), unsigned.Header("Accept-Signature"));
        Assert.StartsWith("Bearer error=\"invalid_token\"", unsigned.Header("WWW-Authenticate"));
        Assert.Equal((HttpStatusCode.OK, "VALID"), (signed.StatusCode, signed.Header("X-Auth-Code")));
        Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_INVALID"), (replayed.StatusCode, replayed.Header("X-Auth-Code")));
        Assert.Contains("nonce", replayed.Header("WWW-Authenticate"));
        Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_INVALID"), (otherPath.StatusCode, otherPath.Header("X-Auth-Code")));
        Assert.Equal((HttpStatusCode.OK, "VALID"), (open.StatusCode, open.Header("X-Auth-Code")));
    }

    [Fact]
    public async Task KeyRequiresSignature_EveryDoorAsksForIt_AndTheManagementApiRefusesTheKey()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var key = await app.CreateKeyAsync(owner, new CreateKeyCommand("signed only", Scopes: [Scope.KeysManage, "orders:read"],
            Protections: new RequestProtections(RequireSignature: true)));
        var secret = await AddHmacAsync(owner, key.Key.Id);
        var api = await app.ApiAsync(owner);

        using var check = await CheckAsync(owner, key.Token, "GET", "/orders/7");
        using var extAuthz = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, "/orders/7")).WithBearer(key.Token));
        using var management = await app.ClientWith(key.Token).GetAsync("/api/v1/keys");
        using var verifyUnsigned = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = key.Token, apiId = api.PublicId, method = "GET", path = "/orders/7" });
        var signature = Sign(secret, "GET", "/orders/7", "?expand=1", bodyDigest: null);
        using var verifySigned = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new
        {
            key = key.Token, apiId = api.PublicId, method = "GET", path = "/orders/7?expand=1",
            signature = new { signatureInput = signature.Input, value = signature.Value, authority = Authority },
        });
        using var checkSigned = await CheckAsync(owner, key.Token, "GET", "/orders/7?expand=1", Sign(secret, "GET", "/orders/7", "?expand=1", null));

        Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_REQUIRED"), (check.StatusCode, check.Header("X-Auth-Code")));
        Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_REQUIRED"), (extAuthz.StatusCode, extAuthz.Header("X-Auth-Code")));
        Assert.Equal(HttpStatusCode.Unauthorized, management.StatusCode);
        Assert.Equal("SIGNATURE_REQUIRED", (await management.ReadJsonAsync()).GetProperty("code").GetString());
        var unsignedAnswer = await verifyUnsigned.ReadJsonAsync();
        Assert.Equal("SIGNATURE_REQUIRED", unsignedAnswer.GetProperty("code").GetString());
        Assert.Contains("\"@method\"", unsignedAnswer.GetProperty("acceptSignature").GetString());
        Assert.Equal("VALID", (await verifySigned.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, checkSigned.StatusCode);
    }

    [Fact]
    public async Task PathForm_SignedTargetWithQueryPasses_ReplayAndUncoveredQueryAreRefused()
    {
        var owner = await app.NewUserAsync();
        await AddRuleAsync(owner, "GET", "/reports/{id}", "reports:read", signatureRequired: true);
        var key = await app.CreateKeyAsync(owner, ["reports:read"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);
        var client = app.AnonymousClient();

        // Envoy calls the door directly: the authority is the check's own Host (the test server's "localhost").
        async Task<HttpResponseMessage> SendAsync(string target, (string Input, string Value) signature) =>
            await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, await app.ExtAuthzUrlAsync(owner, target)).WithBearer(key.Token)
                .WithRawHeader("Signature-Input", signature.Input).WithRawHeader("Signature", signature.Value));

        var signed = Sign(secret, "GET", "/reports/9", "?format=csv", null, authority: "localhost");
        using var first = await SendAsync("/reports/9?format=csv", signed);
        using var replay = await SendAsync("/reports/9?format=csv", signed);
        using var uncovered = await SendAsync("/reports/9?format=csv", Sign(secret, "GET", "/reports/9", null, null, authority: "localhost"));

        Assert.Equal((HttpStatusCode.OK, "VALID"), (first.StatusCode, first.Header("X-Auth-Code")));
        Assert.Equal("SIGNATURE_INVALID", replay.Header("X-Auth-Code"));
        Assert.Equal("SIGNATURE_INVALID", uncovered.Header("X-Auth-Code"));
        Assert.Contains("@query", uncovered.Header("Accept-Signature"));
    }

    [Fact]
    public async Task ApiRequiresSignature_EcdsaAndEd25519PublicKeys_VerifyThroughTheDoor()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var api = await app.ApiAsync(owner);
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiCatalog>().UpdateAsync(owner.Caller(), api.Id, new ApiChanges(Protections: new ProtectionChanges(RequireSignature: true)));
        }

        var key = await app.CreateKeyAsync(owner, ["orders:read"]);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecdsaId = await AddPublicKeyAsync(owner, key.Key.Id, "ecdsa-p256-sha256", ecdsa.ExportSubjectPublicKeyInfoPem());
        using var ed25519 = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        var jwk = JsonSerializer.Serialize(new { kty = "OKP", crv = "Ed25519", x = Base64Url(ed25519.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey)) });
        var ed25519Id = await AddPublicKeyAsync(owner, key.Key.Id, "ed25519", jwk);

        using var unsigned = await CheckAsync(owner, key.Token, "GET", "/orders/7");
        using var byEcdsa = await CheckAsync(owner, key.Token, "GET", "/orders/7",
            SignWith(ecdsaId, bytes => ecdsa.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "GET", "/orders/7", null, null));
        using var byEd25519 = await CheckAsync(owner, key.Token, "GET", "/orders/7",
            SignWith(ed25519Id, bytes => NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(ed25519, bytes), "GET", "/orders/7", null, null));

        Assert.Equal("SIGNATURE_REQUIRED", unsigned.Header("X-Auth-Code"));
        Assert.Equal((HttpStatusCode.OK, "VALID"), (byEcdsa.StatusCode, byEcdsa.Header("X-Auth-Code")));
        Assert.Equal((HttpStatusCode.OK, "VALID"), (byEd25519.StatusCode, byEd25519.Header("X-Auth-Code")));
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<ApiCatalog>().UpdateAsync(owner.Caller(), api.Id, new ApiChanges(Protections: new ProtectionChanges(RequireSignature: false)));
        }
    }

    [Fact]
    public async Task ClockSkew_StaleAndFutureSignaturesAreRefused()
    {
        var owner = await app.NewUserAsync();
        await AddRuleAsync(owner, "DELETE", "/orders/{id}", "orders:admin", signatureRequired: true);
        var key = await app.CreateKeyAsync(owner, ["orders:admin"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);
        var now = app.Clock.GetUtcNow();

        using var stale = await CheckAsync(owner, key.Token, "DELETE", "/orders/7", Sign(secret, "DELETE", "/orders/7", null, null, created: now.AddSeconds(-301)));
        using var future = await CheckAsync(owner, key.Token, "DELETE", "/orders/7", Sign(secret, "DELETE", "/orders/7", null, null, created: now.AddSeconds(31)));
        using var slightlyAhead = await CheckAsync(owner, key.Token, "DELETE", "/orders/7", Sign(secret, "DELETE", "/orders/7", null, null, created: now.AddSeconds(20)));
        using var fourMinutesOld = await CheckAsync(owner, key.Token, "DELETE", "/orders/7", Sign(secret, "DELETE", "/orders/7", null, null, created: now.AddSeconds(-240)));

        Assert.Equal("SIGNATURE_INVALID", stale.Header("X-Auth-Code"));
        Assert.Equal("SIGNATURE_INVALID", future.Header("X-Auth-Code"));
        Assert.Equal("VALID", slightlyAhead.Header("X-Auth-Code"));
        Assert.Equal("VALID", fourMinutesOld.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task AnotherKeysKeyid_RevokedAndExpiredCredentials_AreRefused()
    {
        var owner = await app.NewUserAsync();
        await AddRuleAsync(owner, "POST", "/transfers", "transfers:write", signatureRequired: true);
        var key = await app.CreateKeyAsync(owner, ["transfers:write"]);
        var other = await app.CreateKeyAsync(owner, ["transfers:write"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);
        var otherSecret = await AddHmacAsync(owner, other.Key.Id);

        // The other key's credential, signed correctly: unknown to this key.
        using var foreign = await CheckAsync(owner, key.Token, "POST", "/transfers", Sign(otherSecret, "POST", "/transfers", null, Body));
        using var beforeRevoke = await CheckAsync(owner, key.Token, "POST", "/transfers", Sign(secret, "POST", "/transfers", null, Body));
        using var revoke = await owner.Client.DeleteAsync($"/api/v1/keys/{key.Key.Id}/signing-credentials/{secret.Id}");
        using var afterRevoke = await CheckAsync(owner, key.Token, "POST", "/transfers", Sign(secret, "POST", "/transfers", null, Body));
        var expiring = await AddHmacAsync(owner, key.Key.Id, app.Clock.GetUtcNow().AddMinutes(10));
        using var beforeExpiry = await CheckAsync(owner, key.Token, "POST", "/transfers", Sign(expiring, "POST", "/transfers", null, Body));
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        using var afterExpiry = await CheckAsync(owner, key.Token, "POST", "/transfers", Sign(expiring, "POST", "/transfers", null, Body));

        Assert.Equal("SIGNATURE_INVALID", foreign.Header("X-Auth-Code"));
        Assert.Contains("unknown keyid", foreign.Header("WWW-Authenticate"));
        Assert.Equal("VALID", beforeRevoke.Header("X-Auth-Code"));
        Assert.Equal("VALID", beforeExpiry.Header("X-Auth-Code"));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("SIGNATURE_INVALID", afterRevoke.Header("X-Auth-Code"));
        Assert.Equal("SIGNATURE_INVALID", afterExpiry.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task OriginalAuthority_IsBelievedFromTrustedProxiesOnly()
    {
        var owner = await app.NewUserAsync();
        await AddRuleAsync(owner, "POST", "/payments", "payments:write", signatureRequired: true);
        var key = await app.CreateKeyAsync(owner, ["payments:write"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);

        using var trusted = await CheckAsync(owner, key.Token, "POST", "/payments", Sign(secret, "POST", "/payments", null, Body));
        // A direct client cannot name the authority: the check's own Host (localhost) is the one signed over.
        var signature = Sign(secret, "POST", "/payments", null, Body);
        using var direct = await app.AnonymousClient().SendAsync(new HttpRequestMessage(HttpMethod.Post, await app.CheckUrlAsync(owner, "payments:write"))
            .WithBearer(key.Token).WithRawHeader("X-Forwarded-Host", Authority).WithRawHeader("Content-Digest", Body)
            .WithRawHeader("Signature-Input", signature.Input).WithRawHeader("Signature", signature.Value));

        Assert.Equal("VALID", trusted.Header("X-Auth-Code"));
        Assert.Equal("SIGNATURE_INVALID", direct.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task Verify_BodyDigestMustMatchTheSignedContentDigest()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        await AddRuleAsync(owner, "POST", "/payments", "payments:write", signatureRequired: true);
        var api = await app.ApiAsync(owner);
        var key = await app.CreateKeyAsync(owner, ["payments:write"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);

        async Task<JsonElement> VerifyAsync(string bodyDigest)
        {
            var signature = Sign(secret, "POST", "/payments", null, Body);
            using var response = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new
            {
                key = key.Token, apiId = api.PublicId, method = "POST", path = "/payments",
                signature = new
                {
                    signatureInput = signature.Input, value = signature.Value, authority = Authority,
                    headers = new Dictionary<string, string> { ["content-digest"] = Body },
                    bodyDigest,
                },
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.ReadJsonAsync();
        }

        var matching = await VerifyAsync(Body);
        var other = await VerifyAsync(Digest("{\"amount\":1000}"));

        Assert.Equal("VALID", matching.GetProperty("code").GetString());
        Assert.Equal("SIGNATURE_INVALID", other.GetProperty("code").GetString());
        Assert.Contains("content-digest", other.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Verify_BadSignatureFields_Are400NamingTheField()
    {
        var owner = await app.NewUserAsync(null, Scope.KeysVerify);
        var key = await app.CreateKeyAsync(owner, ["orders:read"]);

        async Task<string> FieldAsync(object signature, string? path = "/orders/7")
        {
            using var response = await owner.Client.PostAsJsonAsync("/api/v1/keys/verify", new { key = key.Token, scope = "orders:read", path, signature });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return string.Join(",", (await response.ReadJsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }

        Assert.Equal("signature.authority", await FieldAsync(new { signatureInput = "a", value = "b", authority = "user@host" }));
        Assert.Equal("signature", await FieldAsync(new { signatureInput = "a", authority = Authority }));
        Assert.Equal("path", await FieldAsync(new { signatureInput = "a", value = "b", authority = Authority }, path: null));
        Assert.Equal("signature.headers", await FieldAsync(new { signatureInput = "a", value = "b", authority = Authority, headers = Enumerable.Range(0, 21).ToDictionary(i => $"x-{i}", i => "v") }));
        Assert.Equal("signature.headers", await FieldAsync(new { signatureInput = "a", value = "b", authority = Authority, headers = new Dictionary<string, string> { ["Content-Type"] = "x" } }));
        Assert.Equal("signature.bodyDigest", await FieldAsync(new { signatureInput = "a", value = "b", authority = Authority, bodyDigest = "md5=:AAAA:" }));
    }

    [Fact]
    public async Task MalformedSignatureFields_AreRefusedAsInvalid_NeverA500()
    {
        var owner = await app.NewUserAsync();
        await AddRuleAsync(owner, "POST", "/payments", "payments:write", signatureRequired: true);
        var key = await app.CreateKeyAsync(owner, ["payments:write"]);
        await AddHmacAsync(owner, key.Key.Id);
        string[][] bad =
        [
            ["sig1=(\"@method\"", "sig1=:AAAA:"],
            ["sig1=(\"@method\");created=1", "sig1=:AAAA:, sig1=:BBBB:"],
            ["sig1=(\"@method\" \"@authority\" \"@path\");created=1;keyid=\"x\";nonce=\"n\";alg=\"rsa-v1_5-sha256\"", "sig1=:AAAA:"],
            [string.Concat(Enumerable.Repeat("sig1=(\"@method\"), ", 2000)), "sig1=:AAAA:"],
            ["sig1=(\"@method\")", "sig1=notbytes"],
        ];

        foreach (var pair in bad)
        {
            using var response = await CheckAsync(owner, key.Token, "POST", "/payments", (pair[0], pair[1]));
            Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_INVALID"), (response.StatusCode, response.Header("X-Auth-Code")));
        }
    }

    [Fact]
    public async Task SigningCredentialsApi_BadInput_OtherTenants_AndTheKeyItself()
    {
        var owner = await app.NewUserAsync();
        var stranger = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, new CreateKeyCommand("automation", Scopes: [Scope.KeysManage, "orders:read"]));
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        async Task<(HttpStatusCode, string?)> AddAsync(HttpClient client, object body)
        {
            using var response = await client.PostAsJsonAsync($"/api/v1/keys/{key.Key.Id}/signing-credentials", body);
            var field = response.StatusCode == HttpStatusCode.BadRequest ? (await response.ReadJsonAsync()).GetProperty("errors").EnumerateObject().First().Name : null;
            return (response.StatusCode, field);
        }

        Assert.Equal((HttpStatusCode.BadRequest, "algorithm"), await AddAsync(owner.Client, new { algorithm = "rsa-pss-sha512" }));
        Assert.Equal((HttpStatusCode.BadRequest, "publicKey"), await AddAsync(owner.Client, new { algorithm = "hmac-sha256", publicKey = p256.ExportSubjectPublicKeyInfoPem() }));
        Assert.Equal((HttpStatusCode.BadRequest, "publicKey"), await AddAsync(owner.Client, new { algorithm = "ecdsa-p256-sha256", publicKey = p384.ExportSubjectPublicKeyInfoPem() }));
        Assert.Equal((HttpStatusCode.BadRequest, "publicKey"), await AddAsync(owner.Client, new { algorithm = "ecdsa-p256-sha256", publicKey = p256.ExportPkcs8PrivateKeyPem() }));
        Assert.Equal((HttpStatusCode.BadRequest, "publicKey"), await AddAsync(owner.Client, new { algorithm = "ed25519", publicKey = p256.ExportSubjectPublicKeyInfoPem() }));
        Assert.Equal((HttpStatusCode.BadRequest, "expiresAt"), await AddAsync(owner.Client, new { algorithm = "hmac-sha256", expiresAt = app.Clock.GetUtcNow().AddDays(-1) }));
        Assert.Equal((HttpStatusCode.NotFound, null), await AddAsync(stranger.Client, new { algorithm = "hmac-sha256" }));
        Assert.Equal((HttpStatusCode.Forbidden, null), await AddAsync(app.ClientWith(key.Token), new { algorithm = "hmac-sha256" }));
        for (var i = 0; i < KeySigningCredential.MaxActivePerKey; i++)
        {
            Assert.Equal((HttpStatusCode.Created, null), await AddAsync(owner.Client, new { algorithm = "hmac-sha256" }));
        }

        Assert.Equal((HttpStatusCode.Conflict, null), await AddAsync(owner.Client, new { algorithm = "hmac-sha256" }));
        using var list = await owner.Client.GetAsync($"/api/v1/keys/{key.Key.Id}/signing-credentials");
        var listed = await list.Content.ReadAsStringAsync();
        Assert.Equal(KeySigningCredential.MaxActivePerKey, JsonDocument.Parse(listed).RootElement.GetArrayLength());
        Assert.DoesNotContain("secret", listed, StringComparison.OrdinalIgnoreCase);
        using var strangerList = await stranger.Client.GetAsync($"/api/v1/keys/{key.Key.Id}/signing-credentials");
        Assert.Equal(HttpStatusCode.NotFound, strangerList.StatusCode);
    }

    [Fact]
    public async Task AWeakerKey_CannotTakeASigningCredentialOfAStrongerOne()
    {
        var owner = await app.NewUserAsync();
        var strong = await app.CreateKeyAsync(owner, new CreateKeyCommand("strong", Scopes: ["payments:admin"], Protections: new RequestProtections(RequireSignature: true)));
        var weak = await app.CreateKeyAsync(owner, new CreateKeyCommand("weak", Scopes: [Scope.KeysManage]));

        using var response = await app.ClientWith(weak.Token).PostAsJsonAsync($"/api/v1/keys/{strong.Key.Id}/signing-credentials", new { algorithm = "hmac-sha256" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        await using var scope = app.Scope();
        Assert.Empty(scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>().SigningCredentials.Where(c => c.ApiKeyId == strong.Key.Id));
    }

    [Fact]
    public async Task ARequestRefusedForItsScope_SpendsNoNonce()
    {
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, new CreateKeyCommand("signed", Scopes: ["orders:read"], Protections: new RequestProtections(RequireSignature: true)));
        var secret = await AddHmacAsync(owner, key.Key.Id);
        var signature = Sign(secret, "GET", "/orders/7", null, null);

        async Task<HttpResponseMessage> CheckScopeAsync(string scope) => await app.AnonymousClient().SendAsync(
            new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner, scope)).WithBearer(key.Token).WithRawHeader(DoorApp.PeerHeader, Proxy)
                .WithRawHeader("X-Original-Method", "GET").WithRawHeader("X-Original-URI", "/orders/7").WithRawHeader("X-Forwarded-Host", Authority)
                .WithRawHeader("Signature-Input", signature.Input).WithRawHeader("Signature", signature.Value));

        using var refused = await CheckScopeAsync("orders:admin");
        using var allowed = await CheckScopeAsync("orders:read");
        using var replay = await CheckScopeAsync("orders:read");

        Assert.Equal("INSUFFICIENT_SCOPE", refused.Header("X-Auth-Code"));
        Assert.Equal("VALID", allowed.Header("X-Auth-Code"));
        Assert.Equal("SIGNATURE_INVALID", replay.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task AKeyOverItsShareOfNonces_IsRefusedSayingSo_WhileAnotherKeysSignedRequestsPass()
    {
        var owner = await app.NewUserAsync();
        await AddRuleAsync(owner, "POST", "/payments", "payments:write", signatureRequired: true);
        var busy = await app.CreateKeyAsync(owner, ["payments:write"]);
        var quiet = await app.CreateKeyAsync(owner, ["payments:write"]);
        var busySecret = await AddHmacAsync(owner, busy.Key.Id);
        var quietSecret = await AddHmacAsync(owner, quiet.Key.Id);
        // The busy key has used its whole share of nonces in the last 330 s (recorded straight in the
        // node's store: the same as that many signed requests, without sending them).
        var store = app.Services.GetRequiredService<INonceStore>();
        var now = app.Clock.GetUtcNow();
        for (var i = 0; i < Assert.IsType<InMemoryNonceStore>(store).CapacityPerKey; i++)
        {
            Assert.Equal(NonceUse.Accepted, store.TryUse(busy.Key.Id, $"earlier-{i}", now.AddSeconds(330), now));
        }

        using var refused = await CheckAsync(owner, busy.Token, "POST", "/payments", Sign(busySecret, "POST", "/payments", null, Body));
        using var passed = await CheckAsync(owner, quiet.Token, "POST", "/payments", Sign(quietSecret, "POST", "/payments", null, Body));

        Assert.Equal((HttpStatusCode.Unauthorized, "SIGNATURE_INVALID"), (refused.StatusCode, refused.Header("X-Auth-Code")));
        Assert.Contains("too many signed requests for this key in the last 330 s", refused.Header("WWW-Authenticate"));
        Assert.Equal((HttpStatusCode.OK, "VALID"), (passed.StatusCode, passed.Header("X-Auth-Code")));
    }

    [Fact]
    public async Task UnreadableForwardedAuthority_NoSignatureVerifies_AndOtherProtocolsSignaturesAreNoneOfOurs()
    {
        var owner = await app.NewUserAsync();
        await app.AddRuleAsync(owner, "GET", "/orders/{id}", "orders:read");
        var key = await app.CreateKeyAsync(owner, ["orders:read"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);
        var overEmpty = Sign(secret, "GET", "/orders/7", null, null, authority: "");

        async Task<HttpResponseMessage> SendAsync(params (string Name, string Value)[] headers)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner)).WithBearer(key.Token).WithRawHeader(DoorApp.PeerHeader, Proxy)
                .WithRawHeader("X-Original-Method", "GET").WithRawHeader("X-Original-URI", "/orders/7");
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return await app.AnonymousClient().SendAsync(request);
        }

        using var twoHosts = await SendAsync(("X-Forwarded-Host", "a.example"), ("X-Forwarded-Host", "b.example"), ("Signature-Input", overEmpty.Input), ("Signature", overEmpty.Value));
        using var userInfo = await SendAsync(("X-Forwarded-Host", "evil@api.example.com"), ("Signature-Input", overEmpty.Input), ("Signature", overEmpty.Value));
        using var draftSignature = await SendAsync(("Signature", "keyId=\"https://social.example/actor#main-key\",headers=\"(request-target) host date\",signature=\"AAAA\""));
        var otherApp = Sign(secret, "GET", "/orders/7", null, null);
        using var otherTag = await SendAsync(("X-Forwarded-Host", Authority), ("Signature-Input", otherApp.Input + ";tag=\"myapp\""), ("Signature", otherApp.Value));

        Assert.Equal("SIGNATURE_INVALID", twoHosts.Header("X-Auth-Code"));
        Assert.Contains("authority", twoHosts.Header("WWW-Authenticate"));
        Assert.Equal("SIGNATURE_INVALID", userInfo.Header("X-Auth-Code"));
        Assert.Equal("VALID", draftSignature.Header("X-Auth-Code"));
        Assert.Equal("VALID", otherTag.Header("X-Auth-Code"));
    }

    [Fact]
    public async Task ConcurrentAdds_NeverPassTheLimitOfActiveCredentials()
    {
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await owner.Client.PostAsJsonAsync($"/api/v1/keys/{key.Key.Id}/signing-credentials", new { algorithm = "hmac-sha256" });
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Contains(status, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        await using var scope = app.Scope();
        var active = scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>().SigningCredentials.Count(c => c.ApiKeyId == key.Key.Id && c.RevokedAt == null);
        Assert.Equal(answers.Count(a => a == HttpStatusCode.Created), active);
        Assert.InRange(active, 1, KeySigningCredential.MaxActivePerKey);
    }

    [Fact]
    public async Task HmacSecret_IsStoredOnlyProtected()
    {
        var owner = await app.NewUserAsync();
        var key = await app.CreateKeyAsync(owner, ["orders:read"]);
        var secret = await AddHmacAsync(owner, key.Key.Id);

        await using var scope = app.Scope();
        var stored = await scope.ServiceProvider.GetRequiredService<Portal.Core.Data.PortalDbContext>().SigningCredentials.FindAsync(secret.Id);
        Assert.NotNull(stored!.ProtectedSecret);
        Assert.DoesNotContain(Convert.ToBase64String(secret.Bytes), stored.ProtectedSecret);
        Assert.Null(stored.PublicKey);
    }

    private sealed record Hmac(Guid Id, string KeyId, byte[] Bytes);

    private async Task AddRuleAsync(TestUser owner, string method, string template, string scope, bool signatureRequired)
    {
        var api = await app.ApiAsync(owner);
        using var response = await owner.Client.PostAsJsonAsync($"/api/v1/apis/{api.PublicId}/rules", new { method, pathTemplate = template, scope, signatureRequired });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(signatureRequired, (await response.ReadJsonAsync()).GetProperty("signatureRequired").GetBoolean());
    }

    private static async Task<Hmac> AddHmacAsync(TestUser owner, Guid keyId, DateTimeOffset? expiresAt = null)
    {
        using var response = await owner.Client.PostAsJsonAsync($"/api/v1/keys/{keyId}/signing-credentials", new { algorithm = "hmac-sha256", expiresAt });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        var secret = Convert.FromBase64String(body.GetProperty("secret").GetString()!);
        Assert.Equal(32, secret.Length);
        return new Hmac(body.GetProperty("id").GetGuid(), body.GetProperty("keyId").GetString()!, secret);
    }

    private static async Task<string> AddPublicKeyAsync(TestUser owner, Guid keyId, string algorithm, string publicKey)
    {
        using var response = await owner.Client.PostAsJsonAsync($"/api/v1/keys/{keyId}/signing-credentials", new { algorithm, publicKey });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.False(body.TryGetProperty("secret", out _));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", body.GetProperty("publicKey").GetString());
        return body.GetProperty("keyId").GetString()!;
    }

    // The gateway's check for the client's request, sent by a trusted proxy with the original
    // method, target and authority; the signature fields travel with the client's headers.
    private async Task<HttpResponseMessage> CheckAsync(TestUser owner, string token, string method, string target, (string Input, string Value)? signature = null, bool body = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, await app.CheckUrlAsync(owner)).WithBearer(token)
            .WithRawHeader(DoorApp.PeerHeader, Proxy)
            .WithRawHeader("X-Original-Method", method)
            .WithRawHeader("X-Original-URI", target)
            .WithRawHeader("X-Forwarded-Host", Authority)
            .WithRawHeader("X-Forwarded-For", "203.0.113.50");
        if (signature is { } signed)
        {
            request.WithRawHeader("Signature-Input", signed.Input).WithRawHeader("Signature", signed.Value);
        }

        if (body || signature is not null && method == "POST")
        {
            request.WithRawHeader("Content-Digest", Body);
        }

        return await app.AnonymousClient().SendAsync(request);
    }

    private (string Input, string Value) Sign(Hmac secret, string method, string path, string? query, string? bodyDigest, DateTimeOffset? created = null, string authority = Authority) =>
        SignWith(secret.KeyId, bytes => HMACSHA256.HashData(secret.Bytes, bytes), method, path, query, bodyDigest, created, authority);

    // The signature base of RFC 9421 section 2.5, written out by hand for these components.
    private (string Input, string Value) SignWith(string keyId, Func<byte[], byte[]> sign, string method, string path, string? query, string? bodyDigest, DateTimeOffset? created = null, string authority = Authority)
    {
        var components = new List<(string Name, string Value)> { ("@method", method), ("@authority", authority), ("@path", path) };
        if (query is not null)
        {
            components.Add(("@query", query));
        }

        if (bodyDigest is not null)
        {
            components.Add(("content-digest", bodyDigest));
        }

        var parameters = $"({string.Join(" ", components.Select(c => $"\"{c.Name}\""))});created={(created ?? app.Clock.GetUtcNow()).ToUnixTimeSeconds()};keyid=\"{keyId}\";nonce=\"{Guid.NewGuid():N}\"";
        var signatureBase = new StringBuilder();
        foreach (var (name, value) in components)
        {
            signatureBase.Append('"').Append(name).Append("\": ").Append(value).Append('\n');
        }

        signatureBase.Append("\"@signature-params\": ").Append(parameters);
        var signature = sign(Encoding.ASCII.GetBytes(signatureBase.ToString()));
        return ($"sig1={parameters}", $"sig1=:{Convert.ToBase64String(signature)}:");
    }

    private static string Digest(string body) => $"sha-256=:{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}:";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed class SqliteSignatureDoorTests(SqliteDoorApp app) : SignatureDoorTests(app), IClassFixture<SqliteDoorApp>;

public sealed class PostgreSqlSignatureDoorTests(PostgreSqlDoorApp app) : SignatureDoorTests(app), IClassFixture<PostgreSqlDoorApp>;
