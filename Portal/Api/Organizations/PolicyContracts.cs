using Portal.Api;
using Portal.Core.Organizations;
using Portal.Core.Protections;

namespace Portal.Api.Organizations;

/// <summary>An organization's policy; null (or absent) fields mean "no rule".</summary>
public sealed record PolicyRequest(
    int? MaxKeyLifetimeDays = null,
    int? RotationIntervalDays = null,
    int? DefaultGraceHours = null,
    int? MaxGraceHours = null,
    LiveKeyCreators LiveKeyCreators = LiveKeyCreators.AnyDeveloper,
    int? DisableUnusedAfterDays = null,
    bool RequireIpAllowlistOnLiveKeys = false,
    List<string>? DeniedNetworks = null,
    List<string>? DeniedCountries = null,
    ThreatPolicy? Threats = null) : IBoundedRequest
{
    public PolicySettings ToSettings() =>
        new(MaxKeyLifetimeDays, RotationIntervalDays, DefaultGraceHours, MaxGraceHours, LiveKeyCreators, DisableUnusedAfterDays,
            RequireIpAllowlistOnLiveKeys, DeniedNetworks, DeniedCountries, Threats);

    /// <inheritdoc/>
    public void CheckBounds(Dictionary<string, string[]> errors)
    {
        RequestLimits.Limit(DeniedNetworks, NetworkList.MaxEntries, "deniedNetworks", "denied networks", errors);
        RequestLimits.Limit(DeniedCountries, CountryList.MaxEntries, "deniedCountries", "denied countries", errors);
    }
}

/// <summary>The policy as the API shows it.</summary>
public sealed record PolicyResponse(
    Guid OrganizationId,
    int? MaxKeyLifetimeDays,
    int? RotationIntervalDays,
    int? DefaultGraceHours,
    int? MaxGraceHours,
    LiveKeyCreators LiveKeyCreators,
    int? DisableUnusedAfterDays,
    DateTimeOffset? UpdatedAt,
    bool RequireIpAllowlistOnLiveKeys,
    IReadOnlyList<string> DeniedNetworks,
    IReadOnlyList<string> DeniedCountries,
    ThreatPolicy Threats)
{
    public static PolicyResponse From(OrganizationPolicy policy) => new(
        policy.OrganizationId,
        policy.MaxKeyLifetimeDays,
        policy.RotationIntervalDays,
        policy.DefaultGraceHours,
        policy.MaxGraceHours,
        policy.LiveKeyCreators,
        policy.DisableUnusedAfterDays,
        policy.UpdatedAt == default ? null : policy.UpdatedAt,
        policy.RequireIpAllowlistOnLiveKeys,
        policy.DeniedNetworks,
        policy.DeniedCountries,
        policy.Threats ?? ThreatPolicy.Default);
}
