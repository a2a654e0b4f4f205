namespace Portal.Core.Organizations;

/// <summary>Who may create an account on the sign-up page.</summary>
public enum RegistrationMode
{
    /// <summary>Only people holding a pending invitation to an organization, for the invited address.</summary>
    InvitationOnly = 0,

    /// <summary>Anyone.</summary>
    Open = 1,
}

/// <summary>
/// Installation-wide settings that platform administrators change in the portal: one row, id 1.
/// A new installation has no row and gets the defaults.
/// </summary>
public sealed class PlatformSettings
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public RegistrationMode Registration { get; set; } = RegistrationMode.InvitationOnly;

    public DateTimeOffset UpdatedAt { get; set; }
}
