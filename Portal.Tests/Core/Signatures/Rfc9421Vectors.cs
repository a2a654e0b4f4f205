using Microsoft.AspNetCore.Http;
using Portal.Core.Signatures;

namespace Portal.Tests.Core.Signatures;

/// <summary>
/// The test messages, keys and signatures of RFC 9421 Appendix B, copied from the RFC (line
/// wrapping per RFC 8792 undone). The RSA keys are not used: this product does not verify RSA.
/// </summary>
internal static class Rfc9421Vectors
{
    /// <summary>B.1.3 test-key-ecc-p256, public part.</summary>
    public const string EccP256PublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf
        w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
        -----END PUBLIC KEY-----
        """;

    /// <summary>B.1.3 test-key-ecc-p256, private part (to prove the private key is refused).</summary>
    public const string EccP256PrivateKey = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49
        AwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM
        4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==
        -----END EC PRIVATE KEY-----
        """;

    /// <summary>B.1.4 test-key-ed25519, public part.</summary>
    public const string Ed25519PublicKey = """
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
        -----END PUBLIC KEY-----
        """;

    /// <summary>B.1.4 test-key-ed25519, private part (PKCS #8).</summary>
    public const string Ed25519PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
        -----END PRIVATE KEY-----
        """;

    /// <summary>B.1.5 test-shared-secret, base64.</summary>
    public const string SharedSecret = "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";

    public const string RequestContentDigest = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
    public const string ResponseContentDigest = "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:";
    public const string RequestBody = "{\"hello\": \"world\"}";
    public const string ResponseBody = "{\"message\": \"good dog\"}";

    /// <summary>
    /// B.2 test-request: <c>POST /foo?param=Value&amp;Pet=dog HTTP/1.1</c>, Host example.com, its
    /// Date, Content-Type, Content-Digest and Content-Length, over https.
    /// </summary>
    public static SignedMessage Request(string? signatureInput = null, string? signature = null) => new()
    {
        Method = "POST",
        Authority = "example.com",
        Path = "/foo",
        Query = "param=Value&Pet=dog",
        Headers = new HeaderDictionary
        {
            ["Host"] = "example.com",
            ["Date"] = "Tue, 20 Apr 2021 02:07:55 GMT",
            ["Content-Type"] = "application/json",
            ["Content-Digest"] = RequestContentDigest,
            ["Content-Length"] = "18",
        },
        SignatureInput = signatureInput,
        Signature = signature,
        HasBody = true,
    };

    /// <summary>B.2 test-response: <c>HTTP/1.1 200 OK</c> with Date, Content-Type, Content-Digest and Content-Length.</summary>
    public static SignedMessage Response(string? signatureInput = null, string? signature = null) => new()
    {
        Method = "POST",
        Authority = "example.com",
        Path = "/foo",
        Status = 200,
        Headers = new HeaderDictionary
        {
            ["Date"] = "Tue, 20 Apr 2021 02:07:56 GMT",
            ["Content-Type"] = "application/json",
            ["Content-Digest"] = ResponseContentDigest,
            ["Content-Length"] = "23",
        },
        SignatureInput = signatureInput,
        Signature = signature,
        HasBody = true,
    };
}
