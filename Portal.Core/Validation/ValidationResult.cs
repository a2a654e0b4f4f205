namespace Portal.Core.Validation;

/// <summary>A decision about a token: a reason code and, when the key was identified, its snapshot.</summary>
public readonly record struct ValidationResult(string Code, KeySnapshot? Key)
{
    public bool IsValid => ReferenceEquals(Code, ReasonCodes.Valid);

    public static ValidationResult Malformed { get; } = new(ReasonCodes.Malformed, null);

    public static ValidationResult NotFound { get; } = new(ReasonCodes.NotFound, null);
}
