using System.Text.Json;
using Portal.Core.Data;

namespace Portal.Core.Access;

/// <summary>
/// One permission: a scope (<c>resource:action</c>), optionally limited to resources of given
/// types or ids (<c>asset/eu-*</c>) and to a schedule. Stored as JSON on keys and permission sets.
/// </summary>
/// <param name="Scope">What the grant allows, e.g. <c>assets:read</c>; at most <see cref="Access.Scope.MaxLength"/> characters.</param>
/// <param name="Resources">
/// Resource patterns <c>type/id</c> with <c>*</c> wildcards (<c>asset/eu-*</c>, <c>invoice/*</c>);
/// null or empty means every resource. At most <see cref="MaxResources"/> patterns of at most
/// <see cref="ResourcePattern.MaxLength"/> characters each.
/// </param>
/// <param name="Schedule">When the grant applies; null means always.</param>
public sealed record Grant(string Scope, IReadOnlyList<string>? Resources = null, AccessSchedule? Schedule = null)
{
    /// <summary>The most resource patterns one grant can be limited to.</summary>
    public const int MaxResources = 20;

    public bool IsConditional => Resources is { Count: > 0 } || Schedule is not null;

    /// <summary>The grant as stored (JSON): two grants are the same grant when these are equal.</summary>
    public string Canonical() => JsonSerializer.Serialize(this, JsonColumn.Options);
}

/// <summary>
/// When access is allowed: between <see cref="NotBefore"/> and <see cref="NotAfter"/>, and, when
/// windows are given, only inside one of them in <see cref="TimeZone"/> (an IANA id such as
/// <c>Europe/Berlin</c>). Windows are wall-clock times, so they follow daylight-saving changes.
/// At most <see cref="MaxWindows"/> windows, none overlapping another on the same day.
/// </summary>
public sealed record AccessSchedule(
    DateTimeOffset? NotBefore = null,
    DateTimeOffset? NotAfter = null,
    string? TimeZone = null,
    IReadOnlyList<WeeklyWindow>? Windows = null)
{
    /// <summary>The most weekly windows one schedule holds (two a day, every day).</summary>
    public const int MaxWindows = 14;

    /// <summary>The longest time zone id read; IANA ids are at most about 30 characters.</summary>
    public const int MaxTimeZoneLength = 64;
}

/// <summary>
/// A weekly window: on the given days (<c>mon</c>…<c>sun</c>, each at most once, so at most
/// <see cref="MaxDays"/>), from Start to End (<c>HH:mm</c>, End may be <c>24:00</c>).
/// </summary>
public sealed record WeeklyWindow(IReadOnlyList<string> Days, string Start, string End)
{
    /// <summary>The most days one window names: each day of the week once.</summary>
    public const int MaxDays = 7;
}
