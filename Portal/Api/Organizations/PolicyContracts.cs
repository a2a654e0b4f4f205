using Portal.Core.Organizations;

namespace Portal.Api.Organizations;

/// <summary>An organization's policy; null (or absent) fields mean "no rule".</summary>
public sealed record PolicyRequest(
    int? MaxKeyLifetimeDays = null,
    int? RotationIntervalDays = null,
    int? DefaultGraceHours = null,
    int? MaxGraceHours = null,
    LiveKeyCreators LiveKeyCreators = LiveKeyCreators.AnyDeveloper,
    int? DisableUnusedAfterDays = null)
{
    public PolicySettings ToSettings() =>
        new(MaxKeyLifetimeDays, RotationIntervalDays, DefaultGraceHours, MaxGraceHours, LiveKeyCreators, DisableUnusedAfterDays);
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
    DateTimeOffset? UpdatedAt)
{
    public static PolicyResponse From(OrganizationPolicy policy) => new(
        policy.OrganizationId,
        policy.MaxKeyLifetimeDays,
        policy.RotationIntervalDays,
        policy.DefaultGraceHours,
        policy.MaxGraceHours,
        policy.LiveKeyCreators,
        policy.DisableUnusedAfterDays,
        policy.UpdatedAt == default ? null : policy.UpdatedAt);
}
