using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Webhooks;

/// <summary>
/// The Standard Webhooks signature scheme: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256(secret,
/// "{webhook-id}.{webhook-timestamp}.{body}")&gt;</c>, the secret written as <c>whsec_&lt;base64&gt;</c>.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const int SecretBytes = 32;
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>The secret as the receiver configures it.</summary>
    public static string Format(byte[] secret) => SecretPrefix + Convert.ToBase64String(secret);

    public static byte[] Parse(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    public static string Sign(byte[] secret, string messageId, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(secret, signed));
    }

    /// <summary>
    /// Whether one of the space-separated signatures in <paramref name="header"/> is the expected one,
    /// compared in constant time. (A receiver should also refuse timestamps far from its clock.)
    /// </summary>
    public static bool Verify(byte[] secret, string messageId, long timestamp, string body, string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, messageId, timestamp, body));
        var match = false;
        foreach (var candidate in header.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            match |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate));
        }

        return match;
    }
}
