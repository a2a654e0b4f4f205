using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Keys;

/// <summary>Token prefixes, peppers and lifecycle limits, bound from the <c>Keys</c> section.</summary>
public sealed class KeyOptions : IValidatableObject
{
    public const string Section = "Keys";

    [Required(ErrorMessage = "Keys:LivePrefix is required."), RegularExpression(ApiKeyToken.PrefixPattern, ErrorMessage = "Keys:LivePrefix must match " + ApiKeyToken.PrefixPattern + ".")]
    public string LivePrefix { get; set; } = "pk_live";

    [Required(ErrorMessage = "Keys:TestPrefix is required."), RegularExpression(ApiKeyToken.PrefixPattern, ErrorMessage = "Keys:TestPrefix must match " + ApiKeyToken.PrefixPattern + ".")]
    public string TestPrefix { get; set; } = "pk_test";

    /// <summary>
    /// Peppers by version (base64, at least 32 bytes each). Empty: the embedded default keeps
    /// one in a key file in the data folder, created on first run with owner-only permissions.
    /// </summary>
    public List<PepperSetting> Peppers { get; set; } = [];

    /// <summary>The pepper version new tokens are hashed with; default the highest configured.</summary>
    public int? CurrentPepperVersion { get; set; }

    /// <summary>Longest grace period a rotation may leave the old token alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "Keys:MaxRotationGrace must be between 00:00:00 and 30.00:00:00.")]
    public TimeSpan MaxRotationGrace { get; set; } = TimeSpan.FromDays(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LivePrefix == TestPrefix)
        {
            yield return new ValidationResult("Keys:LivePrefix and Keys:TestPrefix must differ.", [nameof(LivePrefix), nameof(TestPrefix)]);
        }

        for (var i = 0; i < Peppers.Count; i++)
        {
            var pepper = Peppers[i];
            if (pepper.Version <= 0)
            {
                yield return new ValidationResult($"Keys:Peppers:{i}:Version must be a positive number.", [nameof(Peppers)]);
            }

            if (!TryDecode(pepper.Secret, out var bytes) || bytes.Length < 32)
            {
                yield return new ValidationResult($"Keys:Peppers:{i}:Secret must be base64 of at least 32 bytes.", [nameof(Peppers)]);
            }
        }

        if (Peppers.GroupBy(p => p.Version).Any(g => g.Count() > 1))
        {
            yield return new ValidationResult("Keys:Peppers has the same Version twice.", [nameof(Peppers)]);
        }

        if (CurrentPepperVersion is { } current && Peppers.Count > 0 && Peppers.All(p => p.Version != current))
        {
            yield return new ValidationResult($"Keys:CurrentPepperVersion {current} names no configured pepper.", [nameof(CurrentPepperVersion)]);
        }
    }

    private static bool TryDecode(string? value, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>One configured pepper: a version number and a base64 secret.</summary>
public sealed class PepperSetting
{
    public int Version { get; set; }

    public string Secret { get; set; } = "";
}
