using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// A secret scanner for the tests: an ECDSA P-256 key made once per test run, whose public half every
/// <see cref="PortalApp"/> is configured with (<c>LeakReports:PublicKeys:0</c>), and reports signed the way
/// GitHub's secret scanning partner program signs them (base64 DER ECDSA over the raw body), made with the
/// BCL alone and not the product's code.
/// </summary>
public static class LeakScanner
{
    public const string Url = "/api/v1/keys/leaks";

    /// <summary>Like GitHub's: the hex SHA-256 of something, here of nothing in particular.</summary>
    public const string KeyIdentifier = "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c";

    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Another P-256 key, configured nowhere: its signatures must not verify.</summary>
    public static readonly ECDsa Stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static string PublicKeyPem { get; } = Key.ExportSubjectPublicKeyInfoPem();

    /// <summary>A report of <paramref name="tokens"/> as GitHub sends one: type, URL and source per token.</summary>
    public static string Body(params string[] tokens) => JsonSerializer.Serialize(tokens.Select(t => new
    {
        token = t,
        type = "portal_api_key",
        url = "https://github.com/octocat/hello-world/blob/12345600b9cbe38a219f39a9941c9319b600c002/config.js",
        source = "content",
    }));

    public static string Sign(byte[] body, ECDsa? key = null) =>
        Convert.ToBase64String((key ?? Key).SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>A POST of the body, signed by the configured key unless another is given.</summary>
    public static HttpRequestMessage Signed(string body, ECDsa? key = null, string keyIdentifier = KeyIdentifier)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Github-Public-Key-Identifier", keyIdentifier);
        request.Headers.TryAddWithoutValidation("Github-Public-Key-Signature", Sign(bytes, key));
        return request;
    }

    /// <summary>Sends a signed report of the tokens and returns the labels it answered, in order.</summary>
    public static async Task<List<(string Hash, string Type, string Label)>> ReportAsync(this PortalApp app, params string[] tokens)
    {
        using var response = await app.CreateClient().SendAsync(Signed(Body(tokens)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        using var answer = JsonDocument.Parse(body);
        return [.. answer.RootElement.EnumerateArray().Select(e => (e.GetProperty("token_hash").GetString()!, e.GetProperty("token_type").GetString()!, e.GetProperty("label").GetString()!))];
    }

    /// <summary>The hex SHA-256 of the token's UTF-8 bytes, as the answer names a token.</summary>
    public static string Sha256(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
