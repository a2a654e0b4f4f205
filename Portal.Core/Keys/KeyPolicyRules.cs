using Portal.Core.Organizations;

namespace Portal.Core.Keys;

/// <summary>
/// How an organization's policy limits one key change. Each check adds a message under the field
/// the caller can fix, so the API and the portal show the same words.
/// </summary>
public static class KeyPolicyRules
{
    public static void CheckLiveCreator(OrganizationPolicy policy, OrganizationRole role, KeyEnvironment environment, Dictionary<string, string[]> errors)
    {
        if (environment == KeyEnvironment.Live && policy.LiveKeyCreators == LiveKeyCreators.AdminsOnly && role < OrganizationRole.Admin)
        {
            errors["environment"] = ["This organization's policy lets only admins create live keys. Create a test key, or ask an admin."];
        }
    }

    /// <summary>Under a maximum lifetime, a key must have an expiry no later than that many days from now.</summary>
    public static void CheckLifetime(OrganizationPolicy policy, DateTimeOffset? expiresAt, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (policy.MaxKeyLifetimeDays is not { } days || errors.ContainsKey("expiresAt"))
        {
            return;
        }

        var latest = now.AddDays(days);
        if (expiresAt is null)
        {
            errors["expiresAt"] = [$"This organization's policy requires keys to expire within {days} days: choose an expiry on or before {latest:yyyy-MM-dd HH:mm} UTC."];
        }
        else if (expiresAt.Value > latest)
        {
            errors["expiresAt"] = [$"This organization's policy allows keys to live at most {days} days: choose an expiry on or before {latest:yyyy-MM-dd HH:mm} UTC."];
        }
    }

    /// <summary>The grace a rotation gives: the requested one within the policy's maximum, else the policy's default, else none.</summary>
    public static TimeSpan ResolveGrace(OrganizationPolicy policy, TimeSpan? requested)
    {
        var grace = requested ?? TimeSpan.FromHours(policy.DefaultGraceHours ?? 0);
        if (policy.MaxGraceHours is { } hours && grace > TimeSpan.FromHours(hours))
        {
            throw new InvalidRequestException("gracePeriod", $"This organization's policy allows a grace period of at most {hours} hours.");
        }

        return grace;
    }

    /// <summary>Refuses a live key without an IP allowlist when the organization requires one.</summary>
    public static void CheckAllowlist(OrganizationPolicy policy, KeyEnvironment environment, Protections.RequestProtections protections, Dictionary<string, string[]> errors)
    {
        if (policy.RequireIpAllowlistOnLiveKeys && environment == KeyEnvironment.Live && (protections.IpAllowlist?.Count ?? 0) == 0 && !errors.Keys.Any(k => k.StartsWith("ipAllowlist", StringComparison.Ordinal)))
        {
            errors["ipAllowlist"] = ["The organization's policy requires an IP allowlist on live keys: add at least one network."];
        }
    }
}
