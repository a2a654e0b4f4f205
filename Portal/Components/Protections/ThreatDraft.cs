using Portal.Core.Protections;

namespace Portal.Components.Protections;

/// <summary>
/// An organization's threat thresholds as the policies form edits them, starting from the stored
/// ones or <see cref="ThreatPolicy.Default"/>; thresholds equal to the defaults are saved as "the defaults" (null).
/// </summary>
public sealed class ThreatDraft
{
    private ThreatPolicy _policy;

    private ThreatDraft(ThreatPolicy policy)
    {
        _policy = policy;
        var defaults = ThreatPolicy.Default;
        // Field names are the service's (threats.failureLimit), so its messages land on their inputs.
        Thresholds =
        [
            new("failureLimit", "Refusals that block an address", defaults.FailureLimit, () => _policy.FailureLimit, v => _policy = _policy with { FailureLimit = v }),
            new("stuffingLimit", "Distinct bad tokens that block an address", defaults.StuffingLimit, () => _policy.StuffingLimit, v => _policy = _policy with { StuffingLimit = v }),
            new("windowSeconds", "Detection window (seconds)", defaults.WindowSeconds, () => _policy.WindowSeconds, v => _policy = _policy with { WindowSeconds = v }),
            new("blockSeconds", "First block's length (seconds)", defaults.BlockSeconds, () => _policy.BlockSeconds, v => _policy = _policy with { BlockSeconds = v }),
            new("leakAddressLimit", "Addresses per key that raise an alert", defaults.LeakAddressLimit, () => _policy.LeakAddressLimit, v => _policy = _policy with { LeakAddressLimit = v }),
            new("leakCountryLimit", "Countries per key that raise an alert", defaults.LeakCountryLimit, () => _policy.LeakCountryLimit, v => _policy = _policy with { LeakCountryLimit = v }),
            new("leakWindowSeconds", "Leaked-key window (seconds)", defaults.LeakWindowSeconds, () => _policy.LeakWindowSeconds, v => _policy = _policy with { LeakWindowSeconds = v }),
        ];
    }

    /// <summary>The numeric thresholds, in the order the form shows them.</summary>
    public IReadOnlyList<Threshold> Thresholds { get; }

    public bool SuspendSuspiciousKeys
    {
        get => _policy.SuspendSuspiciousKeys;
        set => _policy = _policy with { SuspendSuspiciousKeys = value };
    }

    /// <summary>What a leak report does to a key of the organization.</summary>
    public LeakResponse ReportedLeaks
    {
        get => _policy.ReportedLeaks;
        set => _policy = _policy with { ReportedLeaks = value };
    }

    public static ThreatDraft From(ThreatPolicy? stored) => new(stored ?? ThreatPolicy.Default);

    /// <summary>The thresholds to save; null when they are the defaults.</summary>
    public ThreatPolicy? ToPolicy() => _policy == ThreatPolicy.Default ? null : _policy;

    /// <summary>One threshold: its field under <c>threats.</c>, its label, its default, and access to its value.</summary>
    public sealed record Threshold(string Field, string Label, int Default, Func<int> Get, Action<int> Set);
}
