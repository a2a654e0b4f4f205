namespace Portal.Core.Protections;

/// <summary>
/// Checks request protections as a key or an API is saved, and compiles stored ones. Field names in
/// messages are the API's: <c>ipAllowlist[i]</c>, <c>countries.allow[i]</c>, <c>rateLimits[i].limit</c>,
/// <c>quota.refill.period</c>.
/// </summary>
public static class ProtectionRules
{
    /// <summary>
    /// Checks <paramref name="protections"/> and returns them normalised (CIDRs in normal form, country
    /// codes upper case and sorted); adds a message naming each bad field to <paramref name="errors"/>.
    /// <paramref name="quotaAllowed"/> false (an API's defaults) refuses a quota.
    /// </summary>
    public static RequestProtections Check(RequestProtections? protections, bool quotaAllowed, Dictionary<string, string[]> errors)
    {
        if (protections is null)
        {
            return RequestProtections.None;
        }

        var allowlist = NetworkList.Parse(protections.IpAllowlist, "ipAllowlist", errors);
        var countries = CountryList.Parse(protections.Countries, "countries", errors);
        var limits = RateLimitRules.CompileLimits(protections.RateLimits, "rateLimits", errors);
        if (protections.Quota is not null && !quotaAllowed)
        {
            errors["quota"] = ["Quotas belong to keys: an API sets rate-limit defaults only."];
        }
        else
        {
            RateLimitRules.CheckQuota(protections.Quota, "quota", errors);
        }

        return new RequestProtections(
            allowlist.IsEmpty ? null : [.. allowlist.Entries],
            countries.IsEmpty ? null : new CountryRules(countries.Allow.Count == 0 ? null : [.. countries.Allow], countries.Deny.Count == 0 ? null : [.. countries.Deny]),
            limits.Length == 0 ? null : [.. limits.Select(l => new RateLimitRule(l.Name, l.Limit, l.PeriodSeconds, l.Burst == l.Limit ? null : l.Burst))],
            protections.Quota,
            protections.RequireSignature);
    }

    /// <summary>
    /// Compiles stored (already checked) protections; <paramref name="quota"/> is the quota's count
    /// to start from. <see cref="CompiledProtections.None"/> when there is nothing to enforce.
    /// </summary>
    public static CompiledProtections Compile(RequestProtections? protections, QuotaPlan? quota = null)
    {
        if ((protections is null || protections.IsEmpty) && quota is null)
        {
            return CompiledProtections.None;
        }

        // Stored values were checked when saved; a message here would mean a stored value no longer
        // parses, and what did parse is enforced rather than nothing.
        var ignored = new Dictionary<string, string[]>();
        return new CompiledProtections(
            NetworkList.Parse(protections?.IpAllowlist, "ipAllowlist", ignored),
            CountryList.Parse(protections?.Countries, "countries", ignored),
            RateLimitRules.Plan(RateLimitRules.CompileLimits(protections?.RateLimits, "rateLimits", ignored), quota))
        {
            RequireSignature = protections?.RequireSignature == true,
        };
    }
}
