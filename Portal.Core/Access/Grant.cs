using System.Text.Json;
using Portal.Core.Data;

namespace Portal.Core.Access;

/// <summary>
/// One permission: a scope (<c>resource:action</c>), optionally limited to resources of given
/// types or ids (<c>asset/eu-*</c>) and to a schedule. Stored as JSON on keys and permission sets.
/// </summary>
/// <param name="Scope">What the grant allows, e.g. <c>assets:read</c>.</param>
/// <param name="Resources">
/// Resource patterns <c>type/id</c> with <c>*</c> wildcards (<c>asset/eu-*</c>, <c>invoice/*</c>);
/// null or empty means every resource.
/// </param>
/// <param name="Schedule">When the grant applies; null means always.</param>
public sealed record Grant(string Scope, IReadOnlyList<string>? Resources = null, AccessSchedule? Schedule = null)
{
    public const int MaxResources = 20;

    public bool IsConditional => Resources is { Count: > 0 } || Schedule is not null;

    /// <summary>The grant as stored (JSON): two grants are the same grant when these are equal.</summary>
    public string Canonical() => JsonSerializer.Serialize(this, JsonColumn.Options);
}

/// <summary>
/// When access is allowed: between <see cref="NotBefore"/> and <see cref="NotAfter"/>, and, when
/// windows are given, only inside one of them in <see cref="TimeZone"/> (an IANA id such as
/// <c>Europe/Berlin</c>). Windows are wall-clock times, so they follow daylight-saving changes.
/// </summary>
public sealed record AccessSchedule(
    DateTimeOffset? NotBefore = null,
    DateTimeOffset? NotAfter = null,
    string? TimeZone = null,
    IReadOnlyList<WeeklyWindow>? Windows = null)
{
    public const int MaxWindows = 14;
}

/// <summary>A weekly window: on the given days (<c>mon</c>…<c>sun</c>), from Start to End (<c>HH:mm</c>, End may be <c>24:00</c>).</summary>
public sealed record WeeklyWindow(IReadOnlyList<string> Days, string Start, string End);
