using Portal.Core.Validation;

namespace Portal.Core.Protections;

/// <summary>
/// An organization's threat thresholds (its policy; these defaults when it set none).
/// </summary>
/// <param name="FailureLimit">401-class decisions from one address within <paramref name="WindowSeconds"/> that block it.</param>
/// <param name="StuffingLimit">Distinct unknown or malformed tokens from one address within the window that block it.</param>
/// <param name="WindowSeconds">The window both counts are taken over.</param>
/// <param name="BlockSeconds">The first block's length; each repeat within a day doubles it, up to a day.</param>
/// <param name="LeakAddressLimit">Distinct addresses one key is used from within <paramref name="LeakWindowSeconds"/> that raise a leaked-key alert.</param>
/// <param name="LeakCountryLimit">Distinct countries one key is used from within the leak window that raise one.</param>
/// <param name="LeakWindowSeconds">The window of the leaked-key signal.</param>
/// <param name="SuspendSuspiciousKeys">Whether an alert also suspends the key until an admin lifts it.</param>
public sealed record ThreatPolicy(
    int FailureLimit = 50,
    int StuffingLimit = 20,
    int WindowSeconds = 60,
    int BlockSeconds = 300,
    int LeakAddressLimit = 50,
    int LeakCountryLimit = 3,
    int LeakWindowSeconds = 3600,
    bool SuspendSuspiciousKeys = false)
{
    public static ThreatPolicy Default { get; } = new();
}

/// <summary>
/// Watches decisions for attacks and answers whether an address is blocked for an organization.
/// In memory and bounded; blocks and alerts it raises are handed to a background writer (never
/// written on the request path).
/// </summary>
public sealed class ThreatMonitor
{
    /// <summary>Whether the address is blocked (automatically or by an admin) for the organization's APIs now.</summary>
    public bool IsBlocked(Guid organizationId, in ClientAddress address, DateTimeOffset now) => throw new NotImplementedException();

    /// <summary>
    /// Counts a 401-class decision (<see cref="ReasonCodes.StatusOf"/> 401) from the address at
    /// the organization's door; <paramref name="token"/> is the token's hash (default when there was
    /// no parsable token) for the credential-stuffing count. Raises a block when a threshold is reached.
    /// </summary>
    public void ObserveRefusal(Guid organizationId, in ClientAddress address, string code, in HashKey token, ThreatPolicy policy, DateTimeOffset now) => throw new NotImplementedException();

    /// <summary>
    /// Counts a use of a known key from the address and country, for the leaked-key signal; a use
    /// from a country the organization denies raises it at once.
    /// </summary>
    public void ObserveUse(KeySnapshot key, in ClientAddress address, CountryCode country, bool countryDeniedByOrganization, ThreatPolicy policy, DateTimeOffset now) => throw new NotImplementedException();
}
