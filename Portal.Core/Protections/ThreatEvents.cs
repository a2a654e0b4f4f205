namespace Portal.Core.Protections;

/// <summary>Why an address is blocked.</summary>
public enum BlockReason
{
    /// <summary>Too many 401-class decisions from the address within the policy's window.</summary>
    FailureBurst = 0,

    /// <summary>Too many distinct unknown or malformed tokens from the address within the window.</summary>
    CredentialStuffing = 1,

    /// <summary>Added by an admin on the block list page.</summary>
    Manual = 2,
}

/// <summary>Something <see cref="ThreatMonitor"/> saw that the background responder stores and tells people about.</summary>
public abstract record ThreatEvent(Guid OrganizationId, DateTimeOffset At);

/// <summary>
/// The monitor blocked <paramref name="Address"/> for the organization until <paramref name="Until"/>;
/// <paramref name="Strike"/> counts the blocks of this address within a day (1 for the first).
/// </summary>
public sealed record AddressBlockedEvent(
    Guid OrganizationId,
    ClientAddress Address,
    BlockReason Reason,
    string Cause,
    int Strike,
    DateTimeOffset At,
    DateTimeOffset Until) : ThreatEvent(OrganizationId, At);

/// <summary>
/// A leaked-key signal for one key: <paramref name="Cause"/> says which (many addresses, many
/// countries, a denied country); raised at most once per key and leak window.
/// </summary>
public sealed record KeySuspiciousEvent(
    Guid OrganizationId,
    Guid KeyId,
    Guid OwnerId,
    string KeyName,
    string Cause,
    int Addresses,
    string[] Countries,
    bool Suspend,
    DateTimeOffset At) : ThreatEvent(OrganizationId, At);
