using System.Text.Json.Serialization;

namespace Portal.Api.Leaks;

/// <summary>
/// One match in a leak report, as GitHub's secret scanning partner program sends it: the token,
/// the name of the pattern that found it, the public URL where it was found (may be empty) and
/// where on GitHub (<c>content</c>, <c>commit</c>, <c>gist_content</c>, …). Other fields are ignored.
/// </summary>
public sealed record LeakMatchRequest(string? Token, string? Type, string? Url, string? Source);

/// <summary>
/// The answer for one match, in GitHub's false-positive feedback format: the token as the hex SHA-256
/// of its UTF-8 bytes (never the token itself), the type as sent, and <c>true_positive</c> when it is a
/// token of a key, else <c>false_positive</c> (malformed, wrong checksum or unknown alike).
/// </summary>
public sealed record LeakLabelResponse(
    [property: JsonPropertyName("token_hash")] string TokenHash,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("label")] string Label)
{
    public const string TruePositive = "true_positive";
    public const string FalsePositive = "false_positive";
}
