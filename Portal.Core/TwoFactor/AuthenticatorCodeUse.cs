namespace Portal.Core.TwoFactor;

/// <summary>
/// The last time step whose authenticator code a person used: a code is accepted only for a later
/// step, so a code seen over a shoulder or replayed from a captured request signs nobody in.
/// One row per person who ever used a code.
/// </summary>
public sealed class AuthenticatorCodeUse
{
    public Guid UserId { get; set; }

    /// <summary>The <see cref="Totp.StepAt"/> of the last accepted code.</summary>
    public long LastStep { get; set; }
}
