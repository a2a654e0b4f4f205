namespace Portal.Core.Protections;

/// <summary>
/// What a leak report (a secret scanner's, or a person's on the portal) does to the key of a token
/// found in public; the organization chooses in its threat policy (<see cref="ThreatPolicy.ReportedLeaks"/>).
/// The owner and the admins are told either way.
/// </summary>
public enum LeakResponse
{
    /// <summary>The key is revoked at once (the default): every token of it is refused with <c>REVOKED</c>.</summary>
    Revoke = 0,

    /// <summary>The key is suspended (<c>SUSPENDED</c>) until an admin lifts the suspension, e.g. after rotating it.</summary>
    Suspend = 1,
}
