using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Leaks;

/// <summary>
/// Leak reports, bound from the <c>LeakReports</c> section: the public keys whose signatures
/// <c>POST /api/v1/keys/leaks</c> accepts (GitHub's secret scanning keys, or any scanner's that
/// speaks the same contract), and the portal form's per-user limit. With no key the endpoint answers
/// 404, saying it is not configured. A key that does not parse stops the app at start, naming it.
/// </summary>
public sealed class LeakReportOptions : IValidatableObject
{
    public const string Section = "LeakReports";

    /// <summary>The longest key identifier accepted (GitHub's are 64 hex digits).</summary>
    public const int MaxKeyIdentifierLength = 200;

    /// <summary>The verifying keys, each an ECDSA P-256 public key (PEM <c>PUBLIC KEY</c>) and the identifier reporters name it by.</summary>
    public List<LeakReportPublicKey> PublicKeys { get; set; } = [];

    /// <summary>How many reports one person may make on the portal's "Report a leaked key" form per hour.</summary>
    [Range(1, 1000, ErrorMessage = "LeakReports:PortalReportsPerHour must be between 1 and 1000.")]
    public int PortalReportsPerHour { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < PublicKeys.Count; i++)
        {
            var key = PublicKeys[i];
            var setting = $"{Section}:PublicKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.KeyIdentifier) || key.KeyIdentifier.Length > MaxKeyIdentifierLength || key.KeyIdentifier.Any(char.IsControl))
            {
                yield return new ValidationResult($"{setting}:KeyIdentifier must be 1 to {MaxKeyIdentifierLength} printable characters.", [nameof(PublicKeys)]);
            }

            if (!LeakReportSignatures.TryReadPublicKey(key.PublicKeyPem, out _, out var error))
            {
                yield return new ValidationResult($"{setting}:PublicKeyPem {error}", [nameof(PublicKeys)]);
            }
        }

        var repeated = PublicKeys.GroupBy(k => k.KeyIdentifier, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            yield return new ValidationResult($"{Section}:PublicKeys names the key identifier '{repeated.Key}' twice.", [nameof(PublicKeys)]);
        }
    }
}

/// <summary>One verifying key of leak reports, as GitHub publishes them (<c>key_identifier</c>, <c>key</c>).</summary>
public sealed class LeakReportPublicKey
{
    /// <summary>What the <c>Github-Public-Key-Identifier</c> header names this key by.</summary>
    public string KeyIdentifier { get; set; } = "";

    /// <summary>The ECDSA P-256 public key as PEM (<c>-----BEGIN PUBLIC KEY-----</c>, SubjectPublicKeyInfo).</summary>
    public string PublicKeyPem { get; set; } = "";
}
