namespace Portal.Core.Protections;

/// <summary>The bounds of an organization's threat thresholds (<see cref="ThreatPolicy"/>).</summary>
public static class ThreatRules
{
    /// <summary>Adds a message naming each threshold outside its bounds; null thresholds (the defaults) are fine.</summary>
    public static void Check(ThreatPolicy? policy, string field, Dictionary<string, string[]> errors)
    {
        if (policy is null)
        {
            return;
        }

        Range(policy.FailureLimit, 3, 100_000, "failureLimit", "Refusals that block an address");
        Range(policy.StuffingLimit, 3, 100_000, "stuffingLimit", "Distinct bad tokens that block an address");
        Range(policy.WindowSeconds, 1, 3600, "windowSeconds", "The detection window (seconds)");
        Range(policy.BlockSeconds, 10, 86_400, "blockSeconds", "The first block's length (seconds)");
        Range(policy.LeakAddressLimit, 2, 100_000, "leakAddressLimit", "Distinct addresses per key that raise an alert");
        Range(policy.LeakCountryLimit, 2, 250, "leakCountryLimit", "Distinct countries per key that raise an alert");
        Range(policy.LeakWindowSeconds, 60, 7 * 86_400, "leakWindowSeconds", "The leaked-key window (seconds)");
        if (!Enum.IsDefined(policy.ReportedLeaks))
        {
            errors[$"{field}.reportedLeaks"] = ["The answer to a reported leak must be revoke or suspend."];
        }

        void Range(int value, int min, int max, string name, string label)
        {
            if (value < min || value > max)
            {
                errors[$"{field}.{name}"] = [$"{label} must be between {min:N0} and {max:N0}."];
            }
        }
    }
}
