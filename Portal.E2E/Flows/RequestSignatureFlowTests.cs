using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Portal.E2E.Infrastructure;
using Portal.E2E.Pages;

namespace Portal.E2E.Flows;

/// <summary>
/// A key's owner, on the key page, requires signatures and adds an hmac-sha256 signing credential,
/// whose secret the portal shows once. The gateway door then refuses the unsigned request
/// (401 SIGNATURE_REQUIRED), allows one signed with that secret, and refuses signatures of the
/// credential once the owner revokes it.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class RequestSignatureFlowTests(PortalServer server, BrowserFixture browser) : PortalBrowserTest(server, browser)
{
    private const string Authority = "api.example.com";

    [Fact]
    public async Task OwnerRequiresSignaturesAndAddsACredential_OnlySignedRequestsPass()
    {
        await new RegisterPage(Page).RegisterAsync($"signing-{Guid.NewGuid():N}@example.com", "correct-horse-battery-staple");
        var token = await new KeysPage(Page).CreateKeyAsync("payments client", "orders:read");
        var apiId = await new ApisPage(Page).RegisterAsync("payments api", "live and test");
        var organization = Page.Url[..Page.Url.IndexOf("/apis", StringComparison.Ordinal)];

        await Page.GotoAsync($"{organization}/keys");
        await new KeysPage(Page).OpenAsync("payments client");
        var card = new KeySigningCard(Page);
        await card.RequireSignaturesAsync();
        var (keyId, secret) = await card.AddHmacAsync();
        await ScreenshotAsync("credential added");

        using (var unsigned = await CheckAsync(apiId, token, null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.Equal("SIGNATURE_REQUIRED", unsigned.Headers.GetValues("X-Auth-Code").Single());
            Assert.Contains("\"@authority\"", unsigned.Headers.GetValues("Accept-Signature").Single());
        }

        using (var signed = await CheckAsync(apiId, token, (keyId, Convert.FromBase64String(secret))))
        {
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        }

        await card.RevokeAsync(keyId);
        using var afterRevoke = await CheckAsync(apiId, token, (keyId, Convert.FromBase64String(secret)));
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        Assert.Equal("SIGNATURE_INVALID", afterRevoke.Headers.GetValues("X-Auth-Code").Single());
        await ScreenshotAsync("credential revoked");
    }

    // A gateway's check of GET /orders/42 at api.example.com, signed (RFC 9421 section 2.5, written out here) when a credential is given.
    private async Task<HttpResponseMessage> CheckAsync(string apiId, string token, (string KeyId, byte[] Secret)? credential)
    {
        using var gateway = Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, GatewayDoor.CheckUrl(apiId, "orders:read"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Original-Method", "GET");
        request.Headers.Add("X-Original-URI", "/orders/42");
        request.Headers.Add("X-Forwarded-Host", Authority);
        if (credential is { } signing)
        {
            var parameters = $"(\"@method\" \"@authority\" \"@path\");created={DateTimeOffset.UtcNow.ToUnixTimeSeconds()};keyid=\"{signing.KeyId}\";nonce=\"{Guid.NewGuid():N}\"";
            var signatureBase = $"\"@method\": GET\n\"@authority\": {Authority}\n\"@path\": /orders/42\n\"@signature-params\": {parameters}";
            var signature = HMACSHA256.HashData(signing.Secret, Encoding.ASCII.GetBytes(signatureBase));
            request.Headers.Add("Signature-Input", $"sig1={parameters}");
            request.Headers.Add("Signature", $"sig1=:{Convert.ToBase64String(signature)}:");
        }

        return await gateway.SendAsync(request);
    }
}
