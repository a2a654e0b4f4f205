namespace Portal.Core.Protections;

/// <summary>
/// The request protections of a key, or an API's defaults for its keys, as stored and as the API
/// sends them (DESIGN.md "Request protections"). Every field is optional; null means "no rule".
/// </summary>
/// <param name="IpAllowlist">IPv4 and IPv6 CIDRs (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>; a bare address is one host), at most <see cref="NetworkList.MaxEntries"/>; the client's address must be in one.</param>
/// <param name="Countries">Country allow and deny lists (ISO 3166-1 alpha-2).</param>
/// <param name="RateLimits">Named limits, each with its own counter; on a key they replace the API's.</param>
/// <param name="Quota">Credits taken by allowed requests, with an optional daily or monthly refill (keys only).</param>
/// <param name="RequireSignature">Every request must carry a valid RFC 9421 signature of one of the key's signing credentials (<c>SIGNATURE_REQUIRED</c> otherwise).</param>
public sealed record RequestProtections(
    List<string>? IpAllowlist = null,
    CountryRules? Countries = null,
    List<RateLimitRule>? RateLimits = null,
    QuotaRule? Quota = null,
    bool RequireSignature = false)
{
    public static RequestProtections None { get; } = new();

    public bool IsEmpty =>
        (IpAllowlist is null || IpAllowlist.Count == 0)
        && (Countries is null || ((Countries.Allow?.Count ?? 0) == 0 && (Countries.Deny?.Count ?? 0) == 0))
        && (RateLimits is null || RateLimits.Count == 0)
        && Quota is null
        && !RequireSignature;
}

/// <summary>Country rules: with an allow list, only those countries pass (an address no database places does not); a deny list refuses its countries.</summary>
public sealed record CountryRules(List<string>? Allow = null, List<string>? Deny = null);

/// <summary>
/// One named rate limit: at most <paramref name="Limit"/> requests per <paramref name="PeriodSeconds"/>,
/// at most <paramref name="Burst"/> of them at once (default: <paramref name="Limit"/>). Enforced
/// with GCRA (the generic cell rate algorithm): one timestamp of state per limit and key.
/// </summary>
public sealed record RateLimitRule(string? Name, long Limit, long PeriodSeconds, long? Burst = null);

/// <summary>How often a quota is refilled: at 00:00 UTC each day, or on the first of each month at 00:00 UTC.</summary>
public enum QuotaPeriod
{
    Day = 0,
    Month = 1,
}

/// <summary>At each period's start the quota's remaining credits are set to <paramref name="Amount"/> (not added to).</summary>
public sealed record QuotaRefill(long Amount, QuotaPeriod? Period);

/// <summary>Credits: each allowed request takes its endpoint rule's cost (1 by default); at zero the key is refused with <c>QUOTA_EXCEEDED</c> until a refill.</summary>
/// <param name="Remaining">The credits left now (when set or read).</param>
/// <param name="Refill">The refill, or null for credits that are never refilled.</param>
public sealed record QuotaRule(long Remaining, QuotaRefill? Refill = null);

/// <summary>
/// A partial change of protections (PATCH): a null field stays as it is; an empty list or empty
/// country rules clear that protection; <paramref name="RemoveQuota"/> removes the quota;
/// <paramref name="RequireSignature"/> null keeps the signature requirement as it is.
/// </summary>
public sealed record ProtectionChanges(
    List<string>? IpAllowlist = null,
    CountryRules? Countries = null,
    List<RateLimitRule>? RateLimits = null,
    QuotaRule? Quota = null,
    bool RemoveQuota = false,
    bool? RequireSignature = null)
{
    public bool IsEmpty => IpAllowlist is null && Countries is null && RateLimits is null && Quota is null && !RemoveQuota && RequireSignature is null;

    /// <summary>The protections after this change.</summary>
    public RequestProtections ApplyTo(RequestProtections current) => new(
        IpAllowlist ?? current.IpAllowlist,
        Countries ?? current.Countries,
        RateLimits ?? current.RateLimits,
        RemoveQuota ? null : Quota ?? current.Quota,
        RequireSignature ?? current.RequireSignature);
}
